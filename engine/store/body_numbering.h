#pragma once
// How both file forms (the project database and the JSON) number block bodies.
#include "graph/graph.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace seaside::store {

/// The distinct block bodies under a graph, numbered from 0 in the order a file lists them: in node
/// order, each body's nested bodies before it. A body shared by several blocks gets one number, and
/// so do equal bodies held apart (blocks re-fed after an edit and its undo get equal copies), so a
/// file lists each once and reads them back shared.
class BodyNumbering {
public:
    explicit BodyNumbering(const graph::Graph &root) { collect(root); }
    /// The bodies by number.
    const std::vector<const graph::Graph *> &bodies() const { return m_bodies; }
    /// The number of a body under the root.
    std::int64_t of(const graph::Graph *body) const { return m_number.at(body); }

private:
    void collect(const graph::Graph &g);
    std::vector<const graph::Graph *> m_bodies;
    std::unordered_map<const graph::Graph *, std::int64_t> m_number;
};

} // namespace seaside::store
