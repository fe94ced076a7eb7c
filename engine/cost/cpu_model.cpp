#include "cost/cpu_model.h"

#include <algorithm>

namespace seaside::cost {

hw::DvfsLevel dvfsLevel(const hw::DeviceSpec &d, double requestedHz) {
    if (d.dvfs.empty())
        return {d.clockHz, 1.0, d.maxPower};
    if (requestedHz <= 0)
        return d.dvfs.back();
    hw::DvfsLevel pick = d.dvfs.front();
    for (const auto &l : d.dvfs) // sorted by frequency when loaded
        if (l.freqHz <= requestedHz * (1 + 1e-9))
            pick = l;
    return pick;
}

namespace {

class CpuModel : public CostModel {
public:
    const char *name() const override { return "cpu-roofline"; }

    double coverage(const LayerContext &ctx, std::string *reason) const override {
        return dtypeCoverage(ctx, reason);
    }

    Estimate estimateNode(const LayerContext &ctx) const override {
        Estimate e;
        e.source = ctx.device.kind == hw::DeviceKind::Npu ? "npu-roofline" : name();
        const auto &m = ctx.metrics;
        const double scale = ctx.bytesScale();
        hw::DvfsLevel level = dvfsLevel(ctx.device, ctx.options.getDouble("freq_hz", 0));
        if (ctx.device.kind == hw::DeviceKind::Npu && ctx.options.getString("tpu_clock", "max") == "std") {
            // Edge TPU "standard" clock: half the max clock, about 60% of its power (Coral docs)
            level.throughputScale *= 0.5;
            level.power = ctx.device.idlePower + 0.6 * (ctx.device.maxPower - ctx.device.idlePower);
        }
        const double peak = ctx.device.peakOps.at(ctx.dtype) * level.throughputScale;
        e.computeTime = m.flops / peak;
        e.weightBytes = m.weightBytes * scale;
        const double activations = (m.bytesRead - m.weightBytes + m.bytesWritten) * scale;
        // Weights that fit on chip stay there between requests; the rest stream every time.
        const double streamed = ctx.device.kind == hw::DeviceKind::Npu
                                    ? std::max(0.0, e.weightBytes - ctx.device.onchipMemory)
                                    : e.weightBytes;
        const double traffic = activations + streamed;
        e.memoryTime = traffic / ctx.device.memBandwidth;
        e.workingBytes = activations + m.stateBytes * scale;
        e.latency = std::max(e.computeTime, e.memoryTime);
        e.memoryBound = e.memoryTime > e.computeTime;
        e.intensity = traffic > 0 ? m.flops / traffic : 0;
        e.attainable = std::min(peak, ctx.device.memBandwidth * e.intensity);
        e.energy = std::max(0.0, level.power - ctx.device.idlePower) * e.latency;
        return e;
    }
};

} // namespace

const CostModel &cpuModel() {
    static const CpuModel model;
    return model;
}

} // namespace seaside::cost
