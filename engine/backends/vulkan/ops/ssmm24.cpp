// Y = X[rows] . W^T with W 2:4-sparse: shaders/ssmm24.comp, a 32x32 tile of Y per 16x16 workgroup.
#include "backends/vulkan/ops/ops.h"

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kTileM = 32, kTileN = 32; // TI, TN in shaders/ssmm24.comp
}

Groups ssmm24Groups(const backends::KernelCall &call) {
    return {ceilDiv(std::uint64_t(call.n), kTileN), ceilDiv(std::uint64_t(call.m), kTileM), 1};
}

Status recordSsmm24(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({"ssmm24", 5, sizeof(Ssmm24Push), {}});
    if (!pipeline)
        return pipeline.error();
    const std::uint64_t k = std::uint64_t(call.k);
    Ssmm24Push push{};
    push.m = std::uint32_t(call.m);
    push.n = std::uint32_t(call.n);
    push.k = std::uint32_t(k);
    push.metaWords = std::uint32_t((k / 4 + 7) / 8);
    // rows of X the buffer holds: gathered ids past it read zeros instead of overrunning
    push.xRows = k ? std::uint32_t(call.a->size() / (k * sizeof(float))) : 0;
    push.hasRows = call.d ? 1u : 0u;
    // Without row ids, binding 3 still needs a buffer: X stands in, never read.
    const backends::Buffer *rows = call.d ? call.d : call.a;
    const Groups g = ssmm24Groups(call);
    return seq.dispatch(**pipeline,
                        {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.c), false},
                         {vkBuffer(rows), false}, {vkBuffer(call.y), true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
