#pragma once
#include "core/expected.h"
#include "graph/graph.h"

namespace seaside::graph {

/// Propagates shapes in topological order from the Input nodes' declared outputs. A node whose
/// output cannot be derived (a custom op, an unknown input) keeps what it declared. A block whose
/// body's Input nodes declare other tensors than reach it gets a copy of the body fed with them and
/// inferred again. Fails on a cycle or an impossible shape, naming the node.
Status inferShapes(Graph &g);

/// inferShapes that also infers every block body again, from what reaches its block (or what its
/// Input nodes declare where that is unknown), whatever the body declares inside: for a design just
/// read from a file. A body that comes out the same keeps its pointer. An error inside a body names
/// the block: "in block 'layer': node ...".
Status inferShapesWithBodies(Graph &g);

/// The output of one node given its inputs; nullopt when the rule needs more than it has.
Expected<std::optional<TensorDesc>> inferNodeOutput(const Node &n, const std::vector<TensorDesc> &in);

/// Operand `input` (0 or 1) of a matrix product as the product reads it: a matmul node imported
/// from ONNX's Gemm may transpose either (attributes trans_a, trans_b), which swaps its last two
/// dimensions. The shape rule, the node's metrics and the cost models all take K from here.
std::vector<std::int64_t> matmulOperand(const Node &n, const std::vector<std::int64_t> &s, int input);

} // namespace seaside::graph
