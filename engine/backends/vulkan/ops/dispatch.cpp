// Which op records which dispatch, and the workgroup grid shared by the row-per-group kernels.
#include "backends/vulkan/ops/ops.h"

#include <algorithm>

namespace seaside::vk::ops {

Groups linearGroups(std::uint64_t count) {
    if (count <= kMaxGroupsPerAxis)
        return {count, 1, 1};
    return {kMaxGroupsPerAxis, ceilDiv(count, kMaxGroupsPerAxis), 1};
}

Groups tiledGroups(const backends::KernelCall &call, std::uint64_t tileM, std::uint64_t tileN) {
    return {ceilDiv(std::uint64_t(call.n), tileN), std::min(ceilDiv(std::uint64_t(call.m), tileM), kMaxGroupsPerAxis), 1};
}

Groups groupsFor(const Context &ctx, const backends::KernelCall &call) {
    switch (call.op) {
    case backends::Op::Gemm: return gemmGroups(call);
    case backends::Op::GemmF16: return gemmGroups(call);
    case backends::Op::Ssmm24: return ssmm24Groups(call);
    case backends::Op::CsrSpmm: return csrSpmmGroups(call);
    case backends::Op::TopKGates: return topKGatesGroups(ctx, call);
    }
    return {};
}

// local sizes and bindings as the shaders declare them (shaders/*.comp)
Workgroup workgroupFor(const backends::KernelCall &call) {
    switch (call.op) {
    case backends::Op::Gemm: return {16, 16, 3};
    case backends::Op::GemmF16: return {16, 16, 3};
    case backends::Op::Ssmm24: return {16, 16, call.g ? 9u : 8u}; // ssmm_samoyeds.comp binds the row indices too
    case backends::Op::CsrSpmm: return {csrSpmmThreads(call.n), 1, 6};
    case backends::Op::TopKGates: return {64, 1, 2};
    }
    return {};
}

Status record(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks) {
    if (backends::checkedOnDevice(call) && !checks.buffer)
        return makeError("Vulkan: " + std::string(backends::opName(call.op)) + " needs the run's check buffer");
    switch (call.op) {
    case backends::Op::Gemm: return recordGemm(cache, seq, call);
    case backends::Op::GemmF16: return recordGemmF16(cache, seq, call);
    case backends::Op::Ssmm24: return recordSsmm24(cache, seq, call, checks);
    case backends::Op::CsrSpmm: return recordCsrSpmm(cache, seq, call, checks);
    case backends::Op::TopKGates: return recordTopKGates(cache, seq, call);
    }
    return makeError("Vulkan: unknown op");
}

} // namespace seaside::vk::ops
