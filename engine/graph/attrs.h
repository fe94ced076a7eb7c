#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace seaside::graph {

using AttrValue = std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>>;

/// A node's attributes by name. Ordered so that saved files and JSON diffs are stable.
class Attrs {
public:
    void set(const std::string &name, AttrValue v) { m_values[name] = std::move(v); }
    bool has(const std::string &name) const { return m_values.count(name) != 0; }
    void erase(const std::string &name) { m_values.erase(name); }

    std::int64_t getInt(const std::string &name, std::int64_t fallback = 0) const;
    double getDouble(const std::string &name, double fallback = 0.0) const; // ints convert
    std::string getString(const std::string &name, const std::string &fallback = {}) const;
    std::vector<std::int64_t> getInts(const std::string &name,
                                      std::vector<std::int64_t> fallback = {}) const;

    const std::map<std::string, AttrValue> &all() const { return m_values; }
    bool operator==(const Attrs &) const = default;

private:
    std::map<std::string, AttrValue> m_values;
};

} // namespace seaside::graph
