// Y (+)= X . W^T: shaders/gemm.comp (fp32) and gemm_f16.comp (X, W fp16; Y fp32), both a 64x64
// tile of Y per 16x16 workgroup.
#include "backends/vulkan/ops/ops.h"

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kTileM = 64, kTileN = 64; // BM, BN in shaders/gemm.comp and gemm_f16.comp
}

Groups gemmGroups(const backends::KernelCall &call) {
    return tiledGroups(call, kTileM, kTileN);
}

namespace {
Status recordTiledGemm(const char *shader, PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({shader, 3, sizeof(GemmPush), {call.accumulate ? 1u : 0u}});
    if (!pipeline)
        return pipeline.error();
    const GemmPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k), 0};
    const Groups g = gemmGroups(call);
    return seq.dispatch(**pipeline, {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.y), true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}
} // namespace

Status recordGemm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    return recordTiledGemm("gemm", cache, seq, call);
}

Status recordGemmF16(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    return recordTiledGemm("gemm_f16", cache, seq, call);
}

} // namespace seaside::vk::ops
