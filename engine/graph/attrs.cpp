#include "graph/attrs.h"

#include <cstdio>

namespace seaside::graph {

std::int64_t Attrs::getInt(std::string_view name, std::int64_t fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    if (auto *i = std::get_if<std::int64_t>(&it->second))
        return *i;
    if (auto *d = std::get_if<double>(&it->second))
        return std::int64_t(*d);
    return fallback;
}

double Attrs::getDouble(std::string_view name, double fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    if (auto *d = std::get_if<double>(&it->second))
        return *d;
    if (auto *i = std::get_if<std::int64_t>(&it->second))
        return double(*i);
    return fallback;
}

std::string Attrs::getString(std::string_view name, const std::string &fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    if (auto *s = std::get_if<std::string>(&it->second))
        return *s;
    return fallback;
}

std::vector<std::int64_t> Attrs::getInts(std::string_view name,
                                         std::vector<std::int64_t> fallback) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    if (auto *v = std::get_if<std::vector<std::int64_t>>(&it->second))
        return *v;
    if (auto *i = std::get_if<std::int64_t>(&it->second))
        return {*i};
    return fallback;
}

std::string attrToString(const AttrValue &v) {
    return std::visit(
        [](const auto &x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                return x;
            } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                std::string s = "[";
                for (std::size_t i = 0; i < x.size(); ++i) {
                    // appended in two steps: "," + std::string&& trips GCC 12's -Wrestrict (bug 105329)
                    if (i)
                        s += ',';
                    s += std::to_string(x[i]);
                }
                return s + "]";
            } else if constexpr (std::is_same_v<T, double>) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%g", x);
                return buf;
            } else {
                return std::to_string(x);
            }
        },
        v);
}

} // namespace seaside::graph
