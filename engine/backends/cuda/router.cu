// TopKGates, the MoE router's selection (kernels/router.h is the CPU oracle and says what becomes
// of non-finite logits): one thread per token. The thread finds the top logit, then picks its k
// experts by k scans of the row, each taking the largest logit that comes after the previous pick
// in the order (logit descending, id ascending), as the oracle ranks them. No storage is needed.
// The gates are p = exp(l - top), in double as the oracle has them, over the kept experts' sum of
// p: the softmax's denominator cancels in the renormalisation.
#include "backends/cuda/kernels.cuh"

namespace seaside::backends::cuda {
namespace {

constexpr int kThreads = 128;

__global__ void __launch_bounds__(kThreads)
    topKGatesKernel(const float *__restrict__ logits, std::uint32_t *__restrict__ ids, float *__restrict__ gates,
                    std::int64_t m, std::int64_t experts, std::int64_t k) {
    const std::int64_t stride = std::int64_t(gridDim.x) * kThreads;
    for (std::int64_t t = std::int64_t(blockIdx.x) * kThreads + threadIdx.x; t < m; t += stride) {
        const float *l = logits + t * experts;
        std::uint32_t *rowIds = ids + t * k;
        float *rowGates = gates + t * k;
        float top = -__int_as_float(0x7f800000); // -inf; a NaN logit never wins a comparison
        for (std::int64_t e = 0; e < experts; ++e)
            top = l[e] > top ? l[e] : top;
        // l == top: p = 1 even where top is infinite (inf - inf would be NaN)
        const auto pOf = [top](float v) { return v == top ? 1.0 : exp(double(v) - double(top)); };
        float prevL = 0.0f;
        double kept = 0.0;
        std::int64_t prevId = -1, picked = 0;
        for (; picked < k; ++picked) {
            std::int64_t best = -1;
            float bestL = 0.0f;
            for (std::int64_t e = 0; e < experts; ++e) {
                const float v = l[e];
                // after the previous pick: smaller, or equal with a higher id; NaN never qualifies
                const bool eligible = !isnan(v) && (prevId < 0 || v < prevL || (v == prevL && e > prevId));
                if (eligible && (best < 0 || v > bestL)) { // ascending e: a tie keeps the lower id
                    best = e;
                    bestL = v;
                }
            }
            if (best < 0) // only NaN logits left
                break;
            prevId = best;
            prevL = bestL;
            rowIds[picked] = std::uint32_t(best);
            kept += pOf(bestL);
        }
        // the p again (the same expression, so the same value) over their sum, which is at least 1
        // (the top pick's p is 1); slots left empty get kNoExpert and gate 0
        for (std::int64_t j = 0; j < k; ++j) {
            if (j >= picked)
                rowIds[j] = 0xffffffffu;
            rowGates[j] = j < picked ? float(pOf(l[rowIds[j]]) / kept) : 0.0f;
        }
    }
}

} // namespace

cudaError_t launchTopKGates(const float *logits, std::uint32_t *ids, float *gates, std::int64_t m,
                            std::int64_t experts, std::int64_t k, cudaStream_t stream) {
    if (m <= 0 || k <= 0)
        return cudaSuccess;
    const std::int64_t blocks = (m + kThreads - 1) / kThreads;
    topKGatesKernel<<<gridAxis(blocks, 1 << 20), kThreads, 0, stream>>>(logits, ids, gates, m, experts, k);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
