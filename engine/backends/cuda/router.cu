// TopKGates, the MoE router's selection (kernels/router.h is the CPU oracle and says what becomes
// of non-finite logits). The k experts are picked by k scans of the row, each taking the largest
// logit that comes after the previous pick in the order (logit descending, id ascending), as the
// oracle ranks them. No storage is needed. Rows of up to kTopKThreadExperts experts take one thread
// each; wider ones (recent MoE models route over 384 to 2048 experts) one block each, whose threads
// split every scan and reduce to the row's pick in shared memory (as Vulkan's
// topk_gates_wide.comp). The gates are p = exp(l - top), in double as the oracle has them, over
// the kept experts' sum of p: the softmax's denominator cancels in the renormalisation.
#include "backends/cuda/kernels.cuh"

namespace seaside::backends::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kWideThreads = 128;
static_assert((kWideThreads & (kWideThreads - 1)) == 0, "the wide kernel's reduction halves its threads");

// p of logit v under the row's top (its largest non-NaN logit): 1 at the top, even an infinite one
// (inf - inf would be NaN).
__device__ double pOf(float v, float top) { return v == top ? 1.0 : exp(double(v) - double(top)); }

// Whether logit v of expert e may be picked after (prevL, prevId): smaller, or equal with a higher
// id; NaN never qualifies; anything else does on the first pass (prevId < 0).
__device__ bool eligible(float v, std::int64_t e, float prevL, std::int64_t prevId) {
    return !isnan(v) && (prevId < 0 || v < prevL || (v == prevL && e > prevId));
}

// The gates of a row whose `picked` ids are written, p over their sum (at least 1: the top
// pick's p is 1), in pick order; slots left empty get kNoExpert and gate 0.
__device__ void writeGates(const float *l, std::uint32_t *rowIds, float *rowGates, std::int64_t picked,
                           std::int64_t k, float top) {
    double kept = 0.0;
    for (std::int64_t j = 0; j < picked; ++j)
        kept += pOf(l[rowIds[j]], top);
    for (std::int64_t j = 0; j < k; ++j) {
        if (j >= picked)
            rowIds[j] = 0xffffffffu;
        rowGates[j] = j < picked ? float(pOf(l[rowIds[j]], top) / kept) : 0.0f;
    }
}

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
        float prevL = 0.0f;
        std::int64_t prevId = -1, picked = 0;
        for (; picked < k; ++picked) {
            std::int64_t best = -1;
            float bestL = 0.0f;
            for (std::int64_t e = 0; e < experts; ++e) {
                const float v = l[e];
                if (eligible(v, e, prevL, prevId) && (best < 0 || v > bestL)) { // ascending e: a tie keeps the lower id
                    best = e;
                    bestL = v;
                }
            }
            if (best < 0) // only NaN logits left
                break;
            prevId = best;
            prevL = bestL;
            rowIds[picked] = std::uint32_t(best);
        }
        writeGates(l, rowIds, rowGates, picked, k, top);
    }
}

// (la, ia) comes before (lb, ib) in the order (logit descending, id ascending); -1 (none) last
__device__ bool before(float la, std::int64_t ia, float lb, std::int64_t ib) {
    return ia >= 0 && (ib < 0 || la > lb || (la == lb && ia < ib));
}

__global__ void __launch_bounds__(kWideThreads)
    topKGatesWideKernel(const float *__restrict__ logits, std::uint32_t *__restrict__ ids, float *__restrict__ gates,
                        std::int64_t m, std::int64_t experts, std::int64_t k) {
    __shared__ float bestLogit[kWideThreads];
    __shared__ std::int64_t bestId[kWideThreads];
    const int t = threadIdx.x;
    // a block's rows are the same for all its threads: the loop and its barriers stay uniform
    for (std::int64_t row = blockIdx.x; row < m; row += gridDim.x) {
        const float *l = logits + row * experts;
        std::uint32_t *rowIds = ids + row * k;
        float prevL = 0.0f, top = 0.0f;
        std::int64_t prevId = -1, picked = 0;
        for (; picked < k; ++picked) {
            std::int64_t best = -1;
            float bestL = 0.0f;
            for (std::int64_t e = t; e < experts; e += kWideThreads) // e ascends: a tie keeps the lower id
                if (eligible(l[e], e, prevL, prevId) && (best < 0 || l[e] > bestL)) {
                    best = e;
                    bestL = l[e];
                }
            bestLogit[t] = bestL;
            bestId[t] = best;
            __syncthreads();
            for (int stride = kWideThreads / 2; stride > 0; stride >>= 1) {
                if (t < stride && before(bestLogit[t + stride], bestId[t + stride], bestLogit[t], bestId[t])) {
                    bestLogit[t] = bestLogit[t + stride];
                    bestId[t] = bestId[t + stride];
                }
                __syncthreads();
            }
            const std::int64_t pick = bestId[0];
            const float pickL = bestLogit[0];
            __syncthreads(); // every thread has read the pick before the next scan overwrites slot 0
            if (pick < 0) // only NaN logits left (the same for every thread)
                break;
            if (picked == 0)
                top = pickL; // the largest non-NaN logit, as the thread kernel's scan finds it
            if (t == 0)
                rowIds[picked] = std::uint32_t(pick);
            prevId = pick;
            prevL = pickL;
        }
        if (t == 0)
            writeGates(l, rowIds, gates + row * k, picked, k, top);
    }
}

} // namespace

cudaError_t launchTopKGates(const float *logits, std::uint32_t *ids, float *gates, std::int64_t m,
                            std::int64_t experts, std::int64_t k, cudaStream_t stream) {
    if (m <= 0 || k <= 0)
        return cudaSuccess;
    if (experts > kTopKThreadExperts) {
        topKGatesWideKernel<<<gridAxis(m, 1 << 20), kWideThreads, 0, stream>>>(logits, ids, gates, m, experts, k);
        return cudaGetLastError();
    }
    const std::int64_t blocks = (m + kThreads - 1) / kThreads;
    topKGatesKernel<<<gridAxis(blocks, 1 << 20), kThreads, 0, stream>>>(logits, ids, gates, m, experts, k);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
