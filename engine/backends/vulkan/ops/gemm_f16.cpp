// Y (+)= X . W^T with X, W fp16 and Y fp32: shaders/gemm_f16.comp, gemm.comp's tiling (gemmGroups).
#include "backends/vulkan/ops/ops.h"

namespace seaside::vk::ops {

Status recordGemmF16(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({"gemm_f16", 3, sizeof(GemmPush), {call.accumulate ? 1u : 0u}});
    if (!pipeline)
        return pipeline.error();
    const GemmPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k), 0};
    const Groups g = gemmGroups(call);
    return seq.dispatch(**pipeline, {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.y), true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
