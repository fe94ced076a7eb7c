#pragma once
#include "graph/graph.h"
#include "hw/platform.h"

#include <map>
#include <string>

namespace seaside::plan {

/// How one layer runs: where, at which precision, and with which per-layer options
/// (sparsity pattern, FPGA customisations, DVFS level...).
struct LayerConfig {
    std::string device; // device instance id; empty = unplaced
    std::string dtype;  // empty = the graph's dtype
    graph::Attrs options;
    bool operator==(const LayerConfig &) const = default;
};

struct Position {
    double x = 0, y = 0;
    bool expanded = false; // blocks: body shown open on the canvas (folded by default)
    bool operator==(const Position &) const = default;
};

/// A whole design, as a value: cheap to copy for undo snapshots and evaluation on a worker.
struct Design {
    std::string name;
    std::map<std::string, std::string> metadata; // description, source model, onnx ir version, opsets...
    graph::Graph graph;
    hw::Platform platform;
    std::map<graph::NodeId, LayerConfig> placement;
    std::map<graph::NodeId, Position> layout; // canvas positions, not part of the model

    bool operator==(const Design &) const = default;
};

} // namespace seaside::plan
