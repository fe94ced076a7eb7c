// TopKGates, the MoE router's selection (kernels/router.h is the CPU oracle): one thread per token.
// The thread picks its k experts by k scans of the row, each taking the largest logit that comes
// after the previous pick in the order (logit descending, id ascending), so it needs no storage
// and the order is that of the probabilities (softmax is monotonic), ties to the lower id. The
// gates are exp(l - top) over the kept experts' sum of the same: the softmax's denominator
// cancels in the renormalisation, so it is never formed. They are computed in double, as the
// oracle does (k exponentials a token: cheap even where fp64 is slow), so both round alike. The one departure from the oracle, which
// orders by the double probabilities: experts whose probability underflows there (logits over 745
// below the top) tie at 0 in the oracle and go by id, here by logit; their gates are 0 both ways.
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
        float prevL = 0.0f, top = 0.0f;
        double kept = 0.0;
        std::int64_t prevId = -1;
        for (std::int64_t j = 0; j < k; ++j) {
            std::int64_t best = -1;
            float bestL = 0.0f;
            for (std::int64_t e = 0; e < experts; ++e) {
                const float v = l[e];
                // after the previous pick: smaller, or equal with a higher id
                const bool eligible = prevId < 0 || v < prevL || (v == prevL && e > prevId);
                if (eligible && (best < 0 || v > bestL)) { // ascending e: a tie keeps the lower id
                    best = e;
                    bestL = v;
                }
            }
            if (best < 0) { // only NaN logits left: take the lowest id not yet taken, gate NaN
                best = prevId + 1 < experts ? prevId + 1 : 0;
                bestL = __int_as_float(0x7fffffff);
            }
            if (j == 0)
                top = bestL;
            prevId = best;
            prevL = bestL;
            rowIds[j] = std::uint32_t(best);
            kept += exp(double(bestL) - double(top));
        }
        // second pass: the p again (the same expression, so the same value) over their sum, which
        // is at least 1 (the top pick's p is exp(0))
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
