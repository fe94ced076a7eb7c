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

/// Operand `input` (0 or 1) of a matrix product as the product reads it: a matmul node imported
/// from ONNX's Gemm may transpose either (attributes trans_a, trans_b), which swaps its last two
/// dimensions. The shape rule, the node's metrics and the cost models all take K from here.
std::vector<std::int64_t> matmulOperand(const Node &n, const std::vector<std::int64_t> &s, int input);

} // namespace seaside::graph
