// TopKGates, the MoE router's selection (kernels/router.h is the CPU oracle and says what becomes
// of non-finite logits). The k experts are picked by k scans of the row, each taking the largest
// logit that comes after the previous pick in the order (logit descending, id ascending), as the
// oracle ranks them. No storage is needed. A row's threads split every scan and reduce to the
// row's pick: rows of up to kTopKWarpExperts experts take one warp each (a shuffle reduction),
// wider ones (recent MoE models route over 384 to 2048 experts) one block each (a shared-memory
// reduction, as Vulkan's topk_gates_wide.comp). A thread per row, the first design, read its row
// alone and uncoalesced: 0.89 ms for 512 tokens over 1024 experts on an H100, where a block per
// row took 0.024 ms over 1025. The gates are p = exp(l - top), in double as the oracle has them,
// over the kept experts' sum of p: the softmax's denominator cancels in the renormalisation.
#include "backends/cuda/kernels.cuh"

namespace seaside::backends::cuda {
namespace {

constexpr int kThreads = 128; // both kernels' block size
constexpr int kWarpsPerBlock = kThreads / 32;
static_assert((kThreads & (kThreads - 1)) == 0, "the block reduction halves its threads");

// p of logit v under the row's top (its largest non-NaN logit): 1 at the top, even an infinite one
// (inf - inf would be NaN).
__device__ double pOf(float v, float top) { return v == top ? 1.0 : exp(double(v) - double(top)); }

// Whether logit v of expert e may be picked after (prevL, prevId): smaller, or equal with a higher
// id; NaN never qualifies; anything else does on the first pass (prevId < 0).
__device__ bool eligible(float v, long long e, float prevL, long long prevId) {
    return !isnan(v) && (prevId < 0 || v < prevL || (v == prevL && e > prevId));
}

// (la, ia) comes before (lb, ib) in the order (logit descending, id ascending); -1 (none) last.
// A total order on picks, so both sides of a butterfly exchange keep the same one.
__device__ bool before(float la, long long ia, float lb, long long ib) {
    return ia >= 0 && (ib < 0 || la > lb || (la == lb && ia < ib));
}

// The gates of a row whose `picked` ids are written, p over their sum (at least 1: the top
// pick's p is 1), in pick order; slots left empty get kNoExpert and gate 0.
__device__ void writeGates(const float *l, std::uint32_t *rowIds, float *rowGates, long long picked, long long k,
                           float top) {
    double kept = 0.0;
    for (long long j = 0; j < picked; ++j)
        kept += pOf(l[rowIds[j]], top);
    for (long long j = 0; j < k; ++j) {
        if (j >= picked)
            rowIds[j] = 0xffffffffu;
        rowGates[j] = j < picked ? float(pOf(l[rowIds[j]], top) / kept) : 0.0f;
    }
}

// One row's picks and gates by `lanes` threads, this one `lane`: each scans every lanes-th expert,
// then reduce(bestL, best) leaves the row's pick in both on every thread. Lane 0 writes.
template <class Reduce>
__device__ void routeRow(const float *l, std::uint32_t *rowIds, float *rowGates, long long experts, long long k,
                         int lane, int lanes, Reduce reduce) {
    float prevL = 0.0f, top = 0.0f;
    long long prevId = -1, picked = 0;
    for (; picked < k; ++picked) {
        long long best = -1;
        float bestL = 0.0f;
        for (long long e = lane; e < experts; e += lanes) // e ascends: a tie keeps the lower id
            if (eligible(l[e], e, prevL, prevId) && (best < 0 || l[e] > bestL)) {
                best = e;
                bestL = l[e];
            }
        reduce(bestL, best);
        if (best < 0) // only NaN logits left (the same for every thread)
            break;
        if (picked == 0)
            top = bestL; // the largest non-NaN logit
        if (lane == 0)
            rowIds[picked] = std::uint32_t(best);
        prevId = best;
        prevL = bestL;
    }
    if (lane == 0)
        writeGates(l, rowIds, rowGates, picked, k, top);
}

__global__ void __launch_bounds__(kThreads)
    topKGatesWarpKernel(const float *__restrict__ logits, std::uint32_t *__restrict__ ids, float *__restrict__ gates,
                        long long m, long long experts, long long k) {
    const int lane = threadIdx.x % 32;
    const long long warps = (long long)gridDim.x * kWarpsPerBlock;
    // a warp's rows are the same for all its lanes: the full-mask shuffles see every lane
    for (long long row = (long long)blockIdx.x * kWarpsPerBlock + threadIdx.x / 32; row < m; row += warps)
        routeRow(logits + row * experts, ids + row * k, gates + row * k, experts, k, lane, 32,
                 [](float &bestL, long long &best) {
                     for (int offset = 16; offset > 0; offset >>= 1) {
                         const float otherL = __shfl_xor_sync(0xffffffffu, bestL, offset);
                         const long long other = __shfl_xor_sync(0xffffffffu, best, offset);
                         if (before(otherL, other, bestL, best)) {
                             bestL = otherL;
                             best = other;
                         }
                     }
                 });
}

__global__ void __launch_bounds__(kThreads)
    topKGatesBlockKernel(const float *__restrict__ logits, std::uint32_t *__restrict__ ids, float *__restrict__ gates,
                         long long m, long long experts, long long k) {
    __shared__ float bestLogit[kThreads];
    __shared__ long long bestId[kThreads];
    const int t = threadIdx.x;
    // a block's rows are the same for all its threads: the loop and its barriers stay uniform
    for (long long row = blockIdx.x; row < m; row += gridDim.x)
        routeRow(logits + row * experts, ids + row * k, gates + row * k, experts, k, t, kThreads,
                 [&](float &bestL, long long &best) {
                     bestLogit[t] = bestL;
                     bestId[t] = best;
                     __syncthreads();
                     for (int stride = kThreads / 2; stride > 0; stride >>= 1) {
                         if (t < stride && before(bestLogit[t + stride], bestId[t + stride], bestLogit[t], bestId[t])) {
                             bestLogit[t] = bestLogit[t + stride];
                             bestId[t] = bestId[t + stride];
                         }
                         __syncthreads();
                     }
                     best = bestId[0];
                     bestL = bestLogit[0];
                     __syncthreads(); // every thread has read the pick before the next scan writes slot 0
                 });
}

} // namespace

cudaError_t launchTopKGates(const float *logits, std::uint32_t *ids, float *gates, std::int64_t m,
                            std::int64_t experts, std::int64_t k, cudaStream_t stream) {
    if (m <= 0 || k <= 0)
        return cudaSuccess;
    if (experts > kTopKWarpExperts)
        topKGatesBlockKernel<<<gridAxis(m, 1 << 20), kThreads, 0, stream>>>(logits, ids, gates, m, experts, k);
    else
        topKGatesWarpKernel<<<gridAxis((m + kWarpsPerBlock - 1) / kWarpsPerBlock, 1 << 20), kThreads, 0, stream>>>(
            logits, ids, gates, m, experts, k);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
