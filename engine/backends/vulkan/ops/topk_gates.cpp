// The router's top-k and gates: shaders/topk_gates.comp (one invocation per row of logits) for rows
// of up to kTopKNarrowExperts experts, shaders/topk_gates_wide.comp (one workgroup per row) above.
#include "backends/vulkan/ops/ops.h"

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kRowsPerGroup = 64; // local_size_x in shaders/topk_gates.comp

bool wide(const backends::KernelCall &call) { return call.n > kTopKNarrowExperts; }
} // namespace

Groups topKGatesGroups(const backends::KernelCall &call) {
    return linearGroups(wide(call) ? std::uint64_t(call.m) : ceilDiv(std::uint64_t(call.m), kRowsPerGroup));
}

Status recordTopKGates(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    auto pipeline = cache.get({wide(call) ? "topk_gates_wide" : "topk_gates", 2, sizeof(TopKGatesPush), {}});
    if (!pipeline)
        return pipeline.error();
    const TopKGatesPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k), 0};
    const Groups g = topKGatesGroups(call);
    return seq.dispatch(**pipeline, {{vkBuffer(call.a), false}, {vkBuffer(call.y), true}}, &push,
                        std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
