// Y = X . W^T: shaders/gemm.comp, a 64x64 tile of Y per 16x16 workgroup.
#include "backends/vulkan/ops/ops.h"

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kTileM = 64, kTileN = 64; // BM, BN in shaders/gemm.comp
}

Groups gemmGroups(const backends::KernelCall &call) {
    return {ceilDiv(std::uint64_t(call.n), kTileN), ceilDiv(std::uint64_t(call.m), kTileM), 1};
}

Status recordGemm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({"gemm", 3, sizeof(GemmPush), {}});
    if (!pipeline)
        return pipeline.error();
    const GemmPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k), 0};
    const Groups g = gemmGroups(call);
    return seq.dispatch(**pipeline, {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.y), true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

Groups groupsFor(const backends::KernelCall &call) {
    switch (call.op) {
    case backends::Op::Gemm: return gemmGroups(call);
    case backends::Op::Ssmm24: return ssmm24Groups(call);
    case backends::Op::CsrSpmm: return csrSpmmGroups(call);
    }
    return {};
}

Status record(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    switch (call.op) {
    case backends::Op::Gemm: return recordGemm(cache, seq, call);
    case backends::Op::Ssmm24: return recordSsmm24(cache, seq, call);
    case backends::Op::CsrSpmm: return recordCsrSpmm(cache, seq, call);
    }
    return makeError("Vulkan: unknown op");
}

} // namespace seaside::vk::ops
