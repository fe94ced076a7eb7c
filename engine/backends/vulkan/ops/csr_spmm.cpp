// Y = A . X with A in CSR, rows summed, averaged or maxed: shaders/csr_spmm.comp, one workgroup per
// row, threads over features.
#include "backends/vulkan/ops/ops.h"

#include <algorithm>

namespace seaside::vk::ops {

namespace {
/// Specialisation constant 1: AGG_* in shaders/csr_spmm.comp.
std::uint32_t aggregationMode(backends::Aggregation how) {
    switch (how) {
    case backends::Aggregation::Sum: return 0;
    case backends::Aggregation::Mean: return 1;
    case backends::Aggregation::Max: return 2;
    }
    return 0;
}
} // namespace

// enough threads for the features, at most 128
std::uint32_t csrSpmmThreads(std::int64_t features) { return features <= 32 ? 32u : features <= 64 ? 64u : 128u; }

Groups csrSpmmGroups(const backends::KernelCall &call) {
    // no features, no results: nothing dispatched, nothing read (backends/call_contents.h)
    return linearGroups(call.n > 0 ? std::uint64_t(std::max<std::int64_t>(call.m, 0)) : 0);
}

Status recordCsrSpmm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks) {
    auto pipeline =
        cache.get({"csr_spmm", 6, sizeof(CsrSpmmPush), {csrSpmmThreads(call.n), aggregationMode(call.aggregation)}});
    if (!pipeline)
        return pipeline.error();
    const CsrSpmmPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k),
                           std::uint32_t(call.nnz), checks.slot, 0};
    const Groups g = csrSpmmGroups(call);
    return seq.dispatch(**pipeline,
                        {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.c), false},
                         {vkBuffer(call.d), false}, {vkBuffer(call.y), true}, {checks.buffer, true, true}},
                        &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
