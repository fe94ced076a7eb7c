#pragma once
#include "graph/graph.h"
#include "graph/node_metrics.h"
#include "hw/device_spec.h"

#include <optional>
#include <string>

namespace seaside::cost {

/// A GEMM's dimensions (M x K times K x N), for the effects that depend on shape: tile and
/// wave quantisation on GPUs, tiling on FPGAs.
struct GemmShape {
    double m = 0, n = 0, k = 0;
    double batch = 1; // independent GEMMs of this shape (experts, heads)
};

/// Everything a cost model may read about one layer on one device.
struct LayerContext {
    const graph::Node &node;
    const std::vector<graph::TensorDesc> &inputs;
    const graph::NodeMetrics &metrics; // at the graph's dtypes
    graph::DType dtype;                // the layer's compute dtype (its config, else the graph's)
    const graph::Attrs &options;       // per-layer config: sparsity, FPGA customisations, DVFS level
    const hw::DeviceSpec &device;

    /// Bytes scale when the layer runs at another precision than the graph declares.
    double bytesScale() const;
    std::optional<GemmShape> gemm() const;
};

/// The option `key` for a layer inside a block: the layer's own override ("<layer>/<key>")
/// wins over the block's setting, as a parent's customisations compose into its children's
/// in Allo.
graph::Attrs composeOptions(const graph::Attrs &blockOptions, const std::string &layerName);

} // namespace seaside::cost
