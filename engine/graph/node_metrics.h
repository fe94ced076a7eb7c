#pragma once
#include "graph/graph.h"

namespace seaside::graph {

/// Work and traffic of one node for its concrete input shapes. The formulas, and the
/// conventions where there is a choice (FLOPs per activation, GNN aggregation), are in README.md.
struct NodeMetrics {
    double params = 0;       // weight elements
    double macs = 0;         // multiply-accumulates
    double flops = 0;        // floating-point (or integer) operations, 2 per MAC plus the rest
    double bytesRead = 0;    // bytes: activations in + weights
    double bytesWritten = 0; // bytes: activations out
    double weightBytes = 0;  // bytes: params at the node's weight dtype
    double stateBytes = 0;   // bytes: KV cache held across steps (attention)

    NodeMetrics &operator+=(const NodeMetrics &o);
    NodeMetrics scaled(double k) const;
};

NodeMetrics nodeMetrics(const Graph &g, const Node &n);
NodeMetrics nodeMetrics(const Node &n, const std::vector<TensorDesc> &inputs);

/// Sum over every node, blocks expanded (a block's body counts `repeat` times).
NodeMetrics graphMetrics(const Graph &g);

} // namespace seaside::graph
