#pragma once
// One small file per op: which pipeline, which buffers, push constants, dispatch size. The
// push-constant structs mirror shaders/common/push_constants.glsl member for member.
#include "backends/backend.h"
#include "backends/call_contents.h"
#include "backends/vulkan/pipeline.h"
#include "backends/vulkan/sequence.h"

#include <cstdint>

namespace seaside::vk::ops {

struct GemmPush {
    std::uint32_t m, n, k;
    std::uint32_t pad;
};
static_assert(sizeof(GemmPush) == 16, "GemmPush must match shaders/common/push_constants.glsl");

struct Ssmm24Push {
    std::uint32_t m, n, k;
    std::uint32_t metaWords;
    std::uint32_t xRows;
    std::uint32_t hasRows;
    std::uint32_t yRows;
    std::uint32_t checkSlot;
    std::uint32_t seenWord;
    std::uint32_t block; // ssmm_samoyeds.comp's V; 0 for ssmm24.comp
};
static_assert(sizeof(Ssmm24Push) == 40, "Ssmm24Push must match shaders/common/push_constants.glsl");

struct CsrSpmmPush {
    std::uint32_t rows, features, cols, nnz;
    std::uint32_t checkSlot;
    std::uint32_t pad;
};
static_assert(sizeof(CsrSpmmPush) == 24, "CsrSpmmPush must match shaders/common/push_constants.glsl");

struct TopKGatesPush {
    std::uint32_t rows, experts, k;
    std::uint32_t pad;
};
static_assert(sizeof(TopKGatesPush) == 16, "TopKGatesPush must match shaders/common/push_constants.glsl");

/// Where a call's checks go (the kCheck* bits of backends/call_contents.h, set by the shaders as
/// shaders/common/checks.glsl says): its word (`slot`) of `buffer`, and for a gate scatter-add the first
/// word of its bitmap of Y's rows (`seenWord`, yRows bits). Null for ops that read no contents.
struct CallChecks {
    const Buffer *buffer = nullptr;
    std::uint32_t slot = 0, seenWord = 0;
};

/// What every Vulkan device allows in each dimension of a dispatch (the spec's minimum of
/// maxComputeWorkGroupCount). Row tiles and linear grids are capped there (shaders loop over the
/// tiles past it); column tiles are not, and supports() refuses a grid past the device's limit.
constexpr std::uint64_t kMaxGroupsPerAxis = 65535;

/// Workgroup counts of a dispatch (64-bit, so supports() can compare them with the device limits).
struct Groups {
    std::uint64_t x = 1, y = 1, z = 1;
};

/// What one workgroup of the call asks of the device: its size (the shader's local_size, or the
/// specialisation constant that sets it) and the storage buffers bound.
struct Workgroup {
    std::uint32_t x = 1, y = 1, storageBuffers = 0;
};
Workgroup workgroupFor(const backends::KernelCall &call);
/// Threads per workgroup of csr_spmm (its specialisation constant 0) for `features` columns.
std::uint32_t csrSpmmThreads(std::int64_t features);
/// On a CPU implementation, an error when the call's longest row needs more loop iterations of one
/// invocation of csr_spmm.comp than kCpuLoopIterations (read from its row pointers): a row of
/// some 200,000 entries at up to 128 features; ok elsewhere.
Status csrSpmmWithinLoopLimit(const Context &ctx, const backends::KernelCall &call);

/// The workgroups the call dispatches.
Groups gemmGroups(const backends::KernelCall &call);
Groups ssmm24Groups(const backends::KernelCall &call);
Groups csrSpmmGroups(const backends::KernelCall &call);
Groups topKGatesGroups(const Context &ctx, const backends::KernelCall &call);
/// Workgroups over `count` items (past kMaxGroupsPerAxis workgroups they spill into y, as linearWorkgroup()
/// in shaders/common/util.glsl expects).
Groups linearGroups(std::uint64_t count);
/// Tiles of Y: column tiles along x, row tiles along y up to kMaxGroupsPerAxis (the tiled shaders
/// loop over the row tiles past it).
Groups tiledGroups(const backends::KernelCall &call, std::uint64_t tileM, std::uint64_t tileN);
Groups groupsFor(const Context &ctx, const backends::KernelCall &call);

/// Most loop iterations one invocation may make, in all its loops, on a CPU implementation:
/// Mesa's llvmpipe (lavapipe) silently ends every loop past them (gallivm's loop limiter).
constexpr std::uint64_t kCpuLoopIterations = 65535;

/// Which router shader takes the call's rows on this device (ops/topk_gates.cpp says why): an
/// invocation per row (shaders/topk_gates.comp), a workgroup per row (topk_gates_wide.comp), or
/// neither where a CPU implementation's loop limit leaves both short of the row.
enum class TopKShader { Invocation, Workgroup, None };
TopKShader topKGatesShader(const Context &ctx, const backends::KernelCall &call);

/// Records the call into `seq`; the call is already checked by the device's supports(), and its
/// buffers are seaside::vk::Buffer of this device.
Status recordGemm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call);
Status recordSsmm24(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks);
Status recordCsrSpmm(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks);
Status recordTopKGates(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call);
Status recordGemmF16(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call);
Status record(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks);

inline const Buffer *vkBuffer(const backends::Buffer *b) { return static_cast<const Buffer *>(b); }
inline std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

} // namespace seaside::vk::ops
