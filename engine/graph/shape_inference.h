#pragma once
#include "core/expected.h"
#include "graph/graph.h"

namespace seaside::graph {

/// Propagates shapes in topological order from the Input nodes' declared outputs. A node whose
/// output cannot be derived (a custom op, an unknown input) keeps what it declared. Fails on a
/// cycle or an impossible shape, naming the node.
Status inferShapes(Graph &g);

/// The output of one node given its inputs; nullopt when the rule needs more than it has.
Expected<std::optional<TensorDesc>> inferNodeOutput(const Node &n, const std::vector<TensorDesc> &in);

} // namespace seaside::graph
