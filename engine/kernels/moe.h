#pragma once
// The MoE layer, Samoyeds-style: router (softmax, top-k, renormalised gates) -> per-expert
// token lists (no copy of the activations) -> w1 and w3 as sparse x token-selected products
// with SiLU fused -> w2 with the gates fused and a scatter-add back to token order. The dense
// version (same maths, dense weights) is the baseline; the reference is the oracle.
#include "kernels/cpu_ssmm24.h"
#include "kernels/samoyeds.h"

#include <cstdint>
#include <vector>

namespace seaside::kernels {

struct MoeShape {
    std::int64_t tokens = 0, hidden = 0, intermediate = 0, experts = 0, topK = 1;
};

/// Dense weights: router [E, H]; per expert w1, w3 [I, H] and w2 [H, I].
struct MoeDenseWeights {
    std::vector<float> router;
    std::vector<std::vector<float>> w1, w3, w2;
};

struct MoeSamoyedsWeights {
    std::vector<float> router; // the router stays dense
    std::vector<Samoyeds> w1, w3, w2;
    /// The compact matrices prepared once for the CPU kernel (cpu::prepareForCpu); pruneMoe fills
    /// them, and the CPU layer reads them when present.
    std::vector<cpu::Sparse24Cpu> w1Cpu, w3Cpu, w2Cpu;
};

/// Which tokens each expert takes, with their renormalised gates (same order).
struct Routing {
    std::vector<std::vector<std::uint32_t>> tokens;
    std::vector<std::vector<float>> gates;
};

Status checkShape(const MoeShape &s, const MoeDenseWeights &w);
/// The shapes of Samoyeds weights (and their prepared forms, if any) against the layer's. The
/// contents (row indices, metadata) are validate()'s to check: pruneMoe's output is valid by
/// construction, toSparse24 validates, and weights from elsewhere must pass validate() first.
Status checkShape(const MoeShape &s, const MoeSamoyedsWeights &w);
/// The router on the CPU; a token whose logits are NaN (kernels/router.h) is an error naming it.
Expected<Routing> route(const float *x, const MoeShape &s, const std::vector<float> &router);
/// Every expert's w1, w3 and w2 pruned to Samoyeds' format; an error names the expert and matrix
/// whose shape the format cannot take (e.g. columns not a multiple of v).
Expected<MoeSamoyedsWeights> pruneMoe(const MoeShape &s, const MoeDenseWeights &w, int n = 1, int m = 2, int v = 128);
/// The weights a Samoyeds layer really multiplies, back in dense form (for the oracle).
MoeDenseWeights densify(const MoeSamoyedsWeights &w);

namespace ref {
Status moe(const float *x, const MoeShape &s, const MoeDenseWeights &w, float *y);
}
namespace cpu {
/// Gather each expert's tokens, then OpenBLAS sgemm per projection: the dense baseline.
Status moeDense(const float *x, const MoeShape &s, const MoeDenseWeights &w, float *y);
/// Samoyeds: two-level sparse weights, tokens gathered straight into the kernel's packed tiles
/// (no separate gathered copy), fused epilogues.
Status moeSamoyeds(const float *x, const MoeShape &s, const MoeSamoyedsWeights &w, float *y);
} // namespace cpu

} // namespace seaside::kernels
