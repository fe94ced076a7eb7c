#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seaside::graph {

using AttrValue = std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>>;

/// A node's attributes by name. Ordered so that saved files and JSON diffs are stable.
class Attrs {
public:
    void set(const std::string &name, AttrValue v) { m_values[name] = std::move(v); }
    bool has(std::string_view name) const { return m_values.find(name) != m_values.end(); }
    void erase(const std::string &name) { m_values.erase(name); }

    // Keys are string_views so that lookups with literals allocate nothing (the estimate's hot path).
    std::int64_t getInt(std::string_view name, std::int64_t fallback = 0) const;
    double getDouble(std::string_view name, double fallback = 0.0) const; // ints convert
    std::string getString(std::string_view name, const std::string &fallback = {}) const;
    std::vector<std::int64_t> getInts(std::string_view name,
                                      std::vector<std::int64_t> fallback = {}) const;

    const std::map<std::string, AttrValue, std::less<>> &all() const { return m_values; }
    bool operator==(const Attrs &) const = default;

private:
    std::map<std::string, AttrValue, std::less<>> m_values;
};

/// An attribute's value as people read it: 64, 0.25, relu, [3,3].
std::string attrToString(const AttrValue &v);

} // namespace seaside::graph
