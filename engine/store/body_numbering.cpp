#include "store/body_numbering.h"

#include <algorithm>

namespace seaside::store {

void BodyNumbering::collect(const graph::Graph &g) {
    for (const graph::Node &n : g.nodes()) {
        const graph::Graph *body = n.body.get();
        if (!body || m_number.count(body))
            continue;
        if (auto same = std::find_if(m_bodies.begin(), m_bodies.end(), [&](const graph::Graph *b) { return *b == *body; });
            same != m_bodies.end()) {
            m_number[body] = m_number.at(*same);
            continue;
        }
        collect(*body);
        m_number[body] = std::int64_t(m_bodies.size());
        m_bodies.push_back(body);
    }
}

} // namespace seaside::store
