#include "cost/gpu_model.h"

#include <algorithm>
#include <cmath>

namespace seaside::cost {

using graph::OpKind;

double waveEfficiency(const GemmShape &g, int sms) {
    if (sms <= 0 || g.m <= 0 || g.n <= 0)
        return 1;
    const double tiles = g.batch * std::ceil(g.m / kGpuTile) * std::ceil(g.n / kGpuTile);
    const double waves = std::ceil(tiles / sms);
    return tiles / (waves * sms);
}

namespace {

bool hasWeights(OpKind k) {
    return k == OpKind::Linear || k == OpKind::Conv || k == OpKind::MoE || k == OpKind::Attention ||
           k == OpKind::MatMul || k == OpKind::GnnConv;
}

int kernelsFor(const graph::Node &n) {
    switch (n.kind) {
    case OpKind::Attention:
        return 4; // QKV projection, scores, softmax + weighted sum, output projection
    case OpKind::MoE:
        return 4; // router, w1|w3 grouped GEMM, w2 grouped GEMM, scatter-add
    case OpKind::Input:
    case OpKind::Output:
    case OpKind::Constant:
    case OpKind::Reshape:
        return 0;
    default:
        return 1;
    }
}

class GpuModel : public CostModel {
public:
    const char *name() const override { return "gpu-roofline"; }

    double coverage(const LayerContext &ctx, std::string *reason) const override {
        return dtypeCoverage(ctx, reason);
    }

    Estimate estimateNode(const LayerContext &ctx) const override {
        Estimate e;
        e.source = name();
        const auto &m = ctx.metrics;
        const double scale = ctx.bytesScale();
        const SparseFormat sf = sparseFormat(ctx);
        const double dense = ctx.device.peakOps.at(ctx.dtype);
        const auto sparseIt = ctx.device.peakOpsSparse.find(ctx.dtype);
        const double peak = sf.sparseTensorCores && sparseIt != ctx.device.peakOpsSparse.end() ? sparseIt->second : dense;

        // The router of a MoE layer stays dense; the experts take the sparse format.
        double sparseFlops = m.flops, denseFlops = 0;
        if (ctx.node.kind == OpKind::MoE) {
            const double hidden = double(ctx.node.attrs.getInt("hidden"));
            const double tokens = hidden > 0 ? double(ctx.inputs.empty() ? 0 : ctx.inputs[0].elements()) / hidden : 0;
            denseFlops = 2 * tokens * hidden * double(ctx.node.attrs.getInt("experts"));
            sparseFlops = m.flops - denseFlops;
        }
        // 2:4 on Sparse Tensor Cores issues half the MACs at the same instruction rate: the
        // sparse peak already counts the skipped half, so the time is the dense work / sparse peak.
        const double issued = sf.sparseTensorCores ? sparseFlops * sf.computeFraction * 2 : sparseFlops * sf.computeFraction;
        const auto gemm = ctx.gemm();
        const double eff = gemm ? waveEfficiency(*gemm, ctx.device.computeUnits) : 1.0;
        e.computeTime = (issued / peak + denseFlops / dense) / eff;

        e.weightBytes = m.weightBytes * scale * (hasWeights(ctx.node.kind) ? sf.weightFraction : 1.0);
        const double activations = (m.bytesRead - m.weightBytes + m.bytesWritten) * scale;
        const double traffic = e.weightBytes + activations;
        e.memoryTime = traffic / ctx.device.memBandwidth;
        e.workingBytes = activations + m.stateBytes * scale;
        e.latency = std::max(e.computeTime, e.memoryTime) + kernelsFor(ctx.node) * kGpuLaunchOverhead;
        e.memoryBound = e.memoryTime > e.computeTime;
        e.intensity = traffic > 0 ? m.flops / traffic : 0;
        e.attainable = std::min(peak, ctx.device.memBandwidth * e.intensity);
        e.energy = (ctx.device.maxPower - ctx.device.idlePower) * std::max(e.computeTime, e.memoryTime);
        return e;
    }
};

} // namespace

SparseFormat sparseFormat(const LayerContext &ctx) {
    const std::string s = ctx.options.getString("sparsity", "dense");
    const double valueBits = 8 * graph::dtypeBytes(ctx.dtype);
    SparseFormat f;
    if (s == "2:4") {
        // half the values plus 2 bits of position metadata per kept value
        f.computeFraction = 0.5;
        f.weightFraction = 0.5 * (1 + 2 / valueBits);
        f.sparseTensorCores = true;
    } else if (s == "samoyeds") {
        // Samoyeds: keep N of every M rows (shared over V columns), then 2:4 on what is left
        const double n = ctx.options.getDouble("samoyeds_n", 1), mm = ctx.options.getDouble("samoyeds_m", 2);
        const double v = ctx.options.getDouble("samoyeds_v", 128);
        const double rowKeep = n / mm;
        f.computeFraction = rowKeep * 0.5;
        // values + 2-bit metadata per kept value + a uint32 row index per kept row per V columns
        f.weightFraction = rowKeep * 0.5 * (1 + 2 / valueBits) + rowKeep * 32 / (v * valueBits);
        f.sparseTensorCores = true;
    }
    return f;
}

const CostModel &gpuModel() {
    static const GpuModel model;
    return model;
}

} // namespace seaside::cost
