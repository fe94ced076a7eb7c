// Y = A . X with A in CSR, rows summed, averaged or maxed: shaders/csr_spmm.comp, one workgroup per
// row, threads over features.
#include "backends/vulkan/ops/ops.h"

#include <algorithm>
#include <string>
#include <vector>

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

Status csrSpmmWithinLoopLimit(const Context &ctx, const backends::KernelCall &call) {
    if (ctx.properties().deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU || call.m <= 0 || call.n <= 0)
        return {};
    std::vector<std::int32_t> rowPtr(std::size_t(call.m) + 1);
    if (Status s = call.a->download(rowPtr.data(), rowPtr.size() * 4); !s)
        return makeError("CsrSpmm: reading the row pointers: " + s.message());
    std::int64_t longest = 0, row = 0;
    for (std::int64_t r = 0; r < call.m; ++r) { // clamped as the shader clamps them
        const std::int64_t begin = std::clamp<std::int64_t>(rowPtr[std::size_t(r)], 0, call.nnz);
        const std::int64_t end = std::clamp<std::int64_t>(rowPtr[std::size_t(r) + 1], begin, call.nnz);
        if (end - begin > longest) {
            longest = end - begin;
            row = r;
        }
    }
    // Per feature block: the products, 4 an iteration, and per chunk of 256 entries its own loop,
    // its staging loop, the products' loop and their remainder, each entered once (llvmpipe counts
    // an entry as an iteration). The chunks' part counts twice, for a margin: measured on lavapipe,
    // rows of 230,000 entries at 1 feature came out wrong where this count without the doubling
    // was 68,293, and 200,000 right at 59,389.
    const std::uint64_t threads = csrSpmmThreads(call.n), blocks = ceilDiv(std::uint64_t(call.n), threads),
                        chunks = ceilDiv(std::uint64_t(longest), 256);
    const std::uint64_t iterations =
        blocks * (std::uint64_t(longest) / 4 + 2 * chunks * (4 + ceilDiv(256, threads)) + 5);
    if (iterations <= kCpuLoopIterations)
        return {};
    return makeError("CsrSpmm: row " + std::to_string(row) + " has " + std::to_string(longest) + " entries, " +
                     std::to_string(iterations) + " loop iterations of one invocation over " + std::to_string(call.n) +
                     " features, and this device (a CPU implementation: Mesa's llvmpipe) ends shader loops silently after " +
                     std::to_string(kCpuLoopIterations) + ": run it on the CPU device or a GPU");
}

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
