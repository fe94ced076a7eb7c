// acc = X[rows] . W^T with W 2:4-sparse, then the call's epilogue (store or accumulate, SiLU-gated
// product, gated scatter-add): shaders/ssmm24.comp, a 32x32 tile of Y per 16x16 workgroup; with
// Samoyeds' row selection (call.g), shaders/ssmm_samoyeds.comp, 32 tokens x 32 groups of M rows.
#include "backends/vulkan/ops/ops.h"

#include <algorithm>

namespace seaside::vk::ops {

namespace {
constexpr std::uint64_t kTileM = 32, kTileN = 32; // TI, TN in shaders/ssmm24.comp
constexpr std::uint64_t kSamoyedsTileGroups = 32;  // TG in shaders/ssmm_samoyeds.comp

/// Specialisation constant 0: EPI_* in shaders/ssmm24.comp.
std::uint32_t epilogueMode(backends::Epilogue e) {
    switch (e) {
    case backends::Epilogue::Store: return 0;
    case backends::Epilogue::SiluMul: return 1;
    case backends::Epilogue::GateScatterAdd: return 2;
    }
    return 0;
}
} // namespace

Groups ssmm24Groups(const backends::KernelCall &call) {
    if (!call.g)
        return tiledGroups(call, kTileM, kTileN);
    // ssmm_samoyeds.comp: column tiles of 32 groups of M rows
    const std::uint64_t groups = call.selection.group > 0 ? std::uint64_t(call.n / call.selection.group) : 0;
    return {ceilDiv(groups, kSamoyedsTileGroups), std::min(ceilDiv(std::uint64_t(call.m), kTileM), kMaxGroupsPerAxis), 1};
}

Status recordSsmm24(PipelineCache &cache, Sequence &seq, const backends::KernelCall &call, const CallChecks &checks) {
    const bool accumulate = call.epilogue == backends::Epilogue::Store && call.accumulate;
    const std::uint32_t spec[2] = {epilogueMode(call.epilogue), accumulate ? 1u : 0u};
    auto pipeline = call.g ? cache.get({"ssmm_samoyeds", 9, sizeof(Ssmm24Push),
                                        {spec[0], spec[1], std::uint32_t(call.selection.kept),
                                         std::uint32_t(call.selection.group)}})
                           : cache.get({"ssmm24", 8, sizeof(Ssmm24Push), {spec[0], spec[1]}});
    if (!pipeline)
        return pipeline.error();
    const std::uint64_t k = std::uint64_t(call.k);
    Ssmm24Push push{};
    push.m = std::uint32_t(call.m);
    push.n = std::uint32_t(call.n);
    push.k = std::uint32_t(k);
    push.metaWords = std::uint32_t((k / 4 + 7) / 8);
    // rows of X the buffer holds: gathered ids past it read zeros instead of overrunning, and
    // flag the call
    push.xRows = std::uint32_t(std::min<std::int64_t>(backends::gatherableRows(call), 0xffffffff));
    push.hasRows = call.d ? 1u : 0u;
    push.yRows = std::uint32_t(call.yRows);
    push.checkSlot = checks.slot;
    push.seenWord = checks.seenWord;
    push.block = call.g ? std::uint32_t(call.selection.block) : 0u;
    // Bindings the call leaves empty still need a buffer: X stands in, never read.
    const backends::Buffer *rows = call.d ? call.d : call.a;
    const bool useE = call.epilogue != backends::Epilogue::Store;
    const bool useF = call.epilogue == backends::Epilogue::GateScatterAdd;
    const backends::Buffer *e = useE ? call.e : call.a;
    const backends::Buffer *f = useF ? call.f : call.a;
    const Groups g = ssmm24Groups(call);
    std::vector<Binding> bindings = {{vkBuffer(call.a), false}, {vkBuffer(call.b), false}, {vkBuffer(call.c), false},
                                     {vkBuffer(rows), false},   {vkBuffer(call.y), true},  {vkBuffer(e), false},
                                     {vkBuffer(f), false},      {checks.buffer, true, true}};
    if (call.g)
        bindings.push_back({vkBuffer(call.g), false});
    return seq.dispatch(**pipeline, bindings, &push, std::uint32_t(g.x), std::uint32_t(g.y));
}

} // namespace seaside::vk::ops
