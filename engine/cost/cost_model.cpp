#include "cost/cost_model.h"

#include "cost/cpu_model.h"
#include "cost/fpga_model.h"
#include "cost/gpu_model.h"

namespace seaside::cost {

const CostModel &modelFor(const hw::DeviceSpec &device) {
    switch (device.kind) {
    case hw::DeviceKind::Gpu:
        return gpuModel();
    case hw::DeviceKind::Fpga:
        return fpgaModel();
    case hw::DeviceKind::Cpu:
    case hw::DeviceKind::Npu:
        break;
    }
    return cpuModel();
}

double dtypeCoverage(const LayerContext &ctx, std::string *reason) {
    if (ctx.device.supports(ctx.dtype))
        return 1;
    if (reason) {
        std::string runs;
        for (const auto &[t, v] : ctx.device.peakOps)
            runs.append(" ").append(graph::dtypeName(t));
        reason->assign(ctx.device.name).append(" cannot run ").append(graph::dtypeName(ctx.dtype));
        reason->append(" (it runs").append(runs).append(")");
    }
    return 0;
}

} // namespace seaside::cost
