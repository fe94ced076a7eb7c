// Y = A . X with A in CSR: shaders/csr_spmm.comp, one workgroup per row, threads over features.
#include "backends/vulkan/ops/ops.h"

#include <algorithm>

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kMaxGroupsX = 65535; // the Vulkan minimum of maxComputeWorkGroupCount[0]

/// Threads per workgroup (specialisation constant 0): enough for the features, at most 128.
std::uint32_t threadsFor(std::int64_t features) {
    return features <= 32 ? 32u : features <= 64 ? 64u : 128u;
}
} // namespace

Groups csrSpmmGroups(const backends::KernelCall &call) {
    // rows past 65535 workgroups spill into y (linearWorkgroup() in shaders/common/util.glsl)
    const std::uint64_t rows = std::uint64_t(std::max<std::int64_t>(call.m, 0));
    if (rows <= kMaxGroupsX)
        return {rows, 1, 1};
    return {kMaxGroupsX, ceilDiv(rows, kMaxGroupsX), 1};
}

Status recordCsrSpmm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({"csr_spmm", 5, sizeof(CsrSpmmPush), {threadsFor(call.n)}});
    if (!pipeline)
        return pipeline.error();
    const CsrSpmmPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k),
                           std::uint32_t(call.nnz)};
    const Groups g = csrSpmmGroups(call);
    return seq.dispatch(**pipeline,
                        {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.c), false},
                         {vkBuffer(call.d), false}, {vkBuffer(call.y), true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
