#include "plan/max_batch.h"

#include "graph/node_metrics.h"
#include "plan/evaluator.h"

#include <algorithm>
#include <cmath>

namespace seaside::plan {

BatchCapacity maxBatch(const Design &d, const std::string &deviceId, const std::string &sparsity) {
    BatchCapacity c;
    const hw::DeviceInstance *dev = d.platform.device(deviceId);
    if (!dev)
        return c;
    double largestActivations = 0, state = 0;
    for (const auto &[id, cfg] : d.placement) {
        if (cfg.device != deviceId)
            continue;
        const graph::Node *n = d.graph.node(id);
        if (!n)
            continue;
        LayerConfig layer = cfg;
        if (!sparsity.empty())
            layer.options.set("sparsity", sparsity);
        auto e = estimateLayer(d.graph, *n, layer, dev->spec, nullptr);
        if (!e)
            continue;
        c.weightBytes += e->weightBytes;
        // KV cache held across steps, at the layer's precision (conservative: the largest
        // working set below already holds one layer's share of it)
        const auto in = d.graph.inputTensors(id);
        const auto declared = in.empty() ? graph::DType::F32 : in[0].dtype;
        const auto runs = graph::dtypeFromName(cfg.dtype).value_or(declared);
        state += graph::nodeMetrics(*n, in).stateBytes * graph::dtypeBytes(runs) / graph::dtypeBytes(declared);
        largestActivations = std::max(largestActivations, e->workingBytes);
    }
    for (const auto &n : d.graph.nodes())
        if (n.kind == graph::OpKind::Input && !n.outputs.empty() && !n.outputs[0].shape.empty())
            c.batch = std::max(c.batch, double(n.outputs[0].shape[0]));
    c.perSampleBytes = (largestActivations + state) / c.batch;
    const double room = dev->spec.memCapacity - c.weightBytes;
    c.maxBatch = room > 0 && c.perSampleBytes > 0 ? static_cast<long long>(std::floor(room / c.perSampleBytes)) : 0;
    return c;
}

} // namespace seaside::plan
