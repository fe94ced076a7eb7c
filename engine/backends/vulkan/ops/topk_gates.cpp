// The router's top-k and gates: shaders/topk_gates.comp (one invocation per row of logits) on CPU
// implementations, shaders/topk_gates_wide.comp (one workgroup per row) on GPUs. Measured with
// 512 tokens, top 8: on an H100 an invocation reading its row alone took 0.109 ms over 256
// experts where a workgroup per row took 0.015 ms over 257; on lavapipe the workgroup's barriers
// turn that around (4.8 ms against 45 ms over 256 experts).
#include "backends/vulkan/ops/ops.h"

#include <cstdlib>
#include <cstring>

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kRowsPerGroup = 64; // local_size_x in shaders/topk_gates.comp
constexpr std::uint64_t kRowWidth = 64;     // WG in shaders/topk_gates_wide.comp

// Loop iterations one invocation makes in all: k scans (of the row, or of its 64th share plus the
// 6 reduction steps), and the pass, gate and empty-slot loops around them.
std::uint64_t invocationIterations(const backends::KernelCall &call) {
    return std::uint64_t(call.k) * (std::uint64_t(call.n) + 3);
}
std::uint64_t workgroupIterations(const backends::KernelCall &call) {
    return std::uint64_t(call.k) * (ceilDiv(std::uint64_t(call.n), kRowWidth) + 9);
}
} // namespace

// SEASIDE_VK_TOPK=workgroup or =invocation forces a shader where the device can run it; it is
// read per call so that one test run checks both shaders on one device.
TopKShader topKGatesShader(const Context &ctx, const backends::KernelCall &call) {
    const char *env = std::getenv("SEASIDE_VK_TOPK");
    const bool forceInvocation = env && std::strcmp(env, "invocation") == 0,
               forceWorkgroup = env && std::strcmp(env, "workgroup") == 0;
    if (ctx.properties().deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU)
        return forceInvocation ? TopKShader::Invocation : TopKShader::Workgroup;
    // Mesa's llvmpipe (lavapipe) ends every loop of an invocation, silently, once it has made
    // kCpuLoopIterations iterations in all (gallivm's loop limiter): past it a row's picks would be
    // wrong, so such rows go to the other shader, or nowhere.
    const bool invocationFits = invocationIterations(call) <= kCpuLoopIterations,
               workgroupFits = workgroupIterations(call) <= kCpuLoopIterations;
    if (forceWorkgroup && workgroupFits)
        return TopKShader::Workgroup;
    return invocationFits ? TopKShader::Invocation : workgroupFits ? TopKShader::Workgroup : TopKShader::None;
}

Groups topKGatesGroups(const Context &ctx, const backends::KernelCall &call) {
    return linearGroups(topKGatesShader(ctx, call) == TopKShader::Workgroup ? std::uint64_t(call.m)
                                                                            : ceilDiv(std::uint64_t(call.m), kRowsPerGroup));
}

Status recordTopKGates(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call) {
    const bool wide = topKGatesShader(seq.context(), call) == TopKShader::Workgroup;
    auto pipeline = cache.get({wide ? "topk_gates_wide" : "topk_gates", 2, sizeof(TopKGatesPush), {}});
    if (!pipeline)
        return pipeline.error();
    const TopKGatesPush push{std::uint32_t(call.m), std::uint32_t(call.n), std::uint32_t(call.k), 0};
    const Groups g = topKGatesGroups(seq.context(), call);
    return seq.dispatch(**pipeline, {{vkBuffer(call.a), false}, {vkBuffer(call.y), true}}, &push,
                        std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
