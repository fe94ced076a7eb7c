// CSR x dense, one warp per row: the warp reads 32 of the row's entries at once (one per lane),
// then hands them round with shuffles while its lanes walk 32 consecutive features of X. The
// aggregation (sum, mean, max of the products) is a template parameter: one kernel each.
#include "backends/cuda/kernels.cuh"

#include <cmath>

namespace seaside::backends::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

template <CsrAggregation kHow>
__global__ void __launch_bounds__(kThreads)
    csrSpmmKernel(const std::int32_t *__restrict__ rowPtr, const std::int32_t *__restrict__ colIdx,
                  const float *__restrict__ vals, const float *__restrict__ x, float *__restrict__ y,
                  std::int64_t rows, std::int64_t cols, std::int64_t features, std::int64_t nnz) {
    const int lane = int(threadIdx.x) % 32;
    const std::int64_t warpsInGrid = std::int64_t(gridDim.x) * kWarps;
    for (std::int64_t r = std::int64_t(blockIdx.x) * kWarps + threadIdx.x / 32; r < rows; r += warpsInGrid) {
        // Entries outside [0, nnz) and columns outside [0, cols) are skipped rather than read:
        // a malformed matrix gives a wrong answer, never a fault.
        std::int64_t begin = rowPtr[r], end = rowPtr[r + 1];
        begin = begin < 0 ? 0 : begin;
        end = end > nnz ? nnz : end;
        const bool empty = end <= begin; // uniform over the warp
        for (std::int64_t f0 = 0; f0 < features; f0 += 32) {
            const std::int64_t f = f0 + lane;
            float acc = kHow == CsrAggregation::Max ? -INFINITY : 0.0f;
            for (std::int64_t e0 = begin; e0 < end; e0 += 32) {
                const std::int64_t e = e0 + lane;
                std::int32_t col = -1;
                float val = 0.0f;
                if (e < end) {
                    col = colIdx[e];
                    val = vals[e];
                }
                const int count = int(end - e0 < 32 ? end - e0 : 32);
                for (int j = 0; j < count; ++j) {
                    const std::int32_t c = __shfl_sync(0xffffffffu, col, j);
                    const float v = __shfl_sync(0xffffffffu, val, j);
                    if (c >= 0 && c < cols && f < features) {
                        const float xv = x[std::int64_t(c) * features + f];
                        if constexpr (kHow == CsrAggregation::Max)
                            acc = fmaxf(acc, __fmul_rn(v, xv)); // the rounded product, as the CPU takes it
                        else
                            acc = fmaf(v, xv, acc);
                    }
                }
            }
            if constexpr (kHow == CsrAggregation::Mean)
                if (!empty)
                    acc = acc / float(end - begin);
            if (empty)
                acc = 0.0f;
            if (f < features)
                y[r * features + f] = acc;
        }
    }
}

template <CsrAggregation kHow>
cudaError_t launch(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals, const float *x,
                   float *y, std::int64_t rows, std::int64_t cols, std::int64_t features, std::int64_t nnz,
                   cudaStream_t stream) {
    const std::int64_t blocks = (rows + kWarps - 1) / kWarps;
    csrSpmmKernel<kHow><<<gridAxis(blocks, 1 << 20), kThreads, 0, stream>>>(rowPtr, colIdx, vals, x, y, rows, cols,
                                                                             features, nnz);
    return cudaGetLastError();
}

} // namespace

cudaError_t launchCsrSpmm(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals,
                          const float *x, float *y, std::int64_t rows, std::int64_t cols,
                          std::int64_t features, std::int64_t nnz, CsrAggregation how, cudaStream_t stream) {
    if (rows <= 0 || features <= 0)
        return cudaSuccess;
    switch (how) {
    case CsrAggregation::Sum:
        return launch<CsrAggregation::Sum>(rowPtr, colIdx, vals, x, y, rows, cols, features, nnz, stream);
    case CsrAggregation::Mean:
        return launch<CsrAggregation::Mean>(rowPtr, colIdx, vals, x, y, rows, cols, features, nnz, stream);
    case CsrAggregation::Max:
        return launch<CsrAggregation::Max>(rowPtr, colIdx, vals, x, y, rows, cols, features, nnz, stream);
    }
    return cudaErrorInvalidValue;
}

} // namespace seaside::backends::cuda
