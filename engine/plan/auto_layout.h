#pragma once
#include "core/expected.h"
#include "plan/design.h"

#include <atomic>
#include <map>

namespace seaside::plan {

struct LayoutOptions {
    bool leftToRight = false;
    double nodeWidth = 170;  // px
    double nodeHeight = 48;  // px
    std::size_t graphvizLimit = 300; // above this many nodes Graphviz dot takes minutes: use the layered layout
    const std::atomic<bool> *cancel = nullptr; // set from another thread to stop the layered layout
};

/// Positions (node centres, px) for every node of `g`: Graphviz dot for small graphs, the
/// fast layered layout for large ones. Fails only on a cycle.
Expected<std::map<graph::NodeId, Position>> autoLayout(const graph::Graph &g, const LayoutOptions &opts = {});

/// Longest-path layering and one barycentre sweep: O(nodes + edges), 10,000 nodes in
/// milliseconds. Written here because Graphviz's dot is too slow past a few hundred nodes.
Expected<std::map<graph::NodeId, Position>> layeredLayout(const graph::Graph &g, const LayoutOptions &opts = {});

Expected<std::map<graph::NodeId, Position>> graphvizLayout(const graph::Graph &g, const LayoutOptions &opts = {});

} // namespace seaside::plan
