// TopKGates, the MoE router's selection (kernels/router.h is the CPU oracle): one thread per token.
// The thread finds the top logit, then picks its k experts by k scans of the row, each taking the
// largest p = exp(l - top) that comes after the previous pick in the order (p descending, id
// ascending). p is computed in double exactly as the oracle does, so the order, ties included
// (equal p, e.g. where exp rounds two close logits alike or underflows), is the oracle's. No
// storage is needed. The gates are p over the kept experts' sum of p: the softmax's denominator
// cancels in the renormalisation. k x experts exponentials a token: cheap even where fp64 is slow.
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
        float top = -__int_as_float(0x7f800000); // -inf; NaN logits never win a comparison
        for (std::int64_t e = 0; e < experts; ++e)
            top = l[e] > top ? l[e] : top;
        double prevP = 0.0, kept = 0.0;
        std::int64_t prevId = -1;
        for (std::int64_t j = 0; j < k; ++j) {
            std::int64_t best = -1;
            double bestP = 0.0;
            for (std::int64_t e = 0; e < experts; ++e) {
                const double p = exp(double(l[e]) - double(top));
                // after the previous pick: smaller, or equal with a higher id
                const bool eligible = prevId < 0 || p < prevP || (p == prevP && e > prevId);
                if (eligible && (best < 0 || p > bestP)) { // ascending e: a tie keeps the lower id
                    best = e;
                    bestP = p;
                }
            }
            if (best < 0) { // only NaN logits left: the lowest id not yet taken, gate NaN
                for (best = 0; best < experts; ++best) {
                    bool taken = false;
                    for (std::int64_t i = 0; i < j; ++i)
                        taken = taken || rowIds[i] == std::uint32_t(best);
                    if (!taken)
                        break;
                }
                bestP = __longlong_as_double(0x7ff8000000000000LL);
            }
            prevId = best;
            prevP = bestP;
            rowIds[j] = std::uint32_t(best);
            kept += bestP;
        }
        // the p again (the same expression, so the same value) over their sum, which is at least 1
        // (the top pick's p is exp(0))
        for (std::int64_t j = 0; j < k; ++j)
            rowGates[j] = float(exp(double(l[rowIds[j]]) - double(top)) / kept);
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
