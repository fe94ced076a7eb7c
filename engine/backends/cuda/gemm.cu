// Y (+)= X . W^T in fp32: 64x64 output tiles in shared memory, 16x16 threads of 4x4 outputs each.
// Every load and store is bounds-checked, so any M, N, K works (K = 0 writes zeros, or leaves Y
// as it was when accumulating).
#include "backends/cuda/kernels.cuh"

namespace seaside::backends::cuda {
namespace {

constexpr int kTile = 64;     // outputs per block along M and along N
constexpr int kStep = 16;     // K per shared-memory stage
constexpr int kThreads = 256; // 16 x 16
constexpr int kPad = kTile + 1; // transposed stores hit distinct banks

__global__ void __launch_bounds__(kThreads) gemmKernel(const float *__restrict__ x, const float *__restrict__ w,
                                                       float *__restrict__ y, std::int64_t m, std::int64_t n,
                                                       std::int64_t k, bool accumulate) {
    __shared__ float xs[kStep][kPad]; // xs[kk][row]
    __shared__ float ws[kStep][kPad]; // ws[kk][col]
    const int tid = int(threadIdx.x);
    const int tx = tid % 16, ty = tid / 16;
    const int loadCol = tid % kStep, loadRow = tid / kStep; // 16 rows per pass, 4 passes
    const std::int64_t tilesM = (m + kTile - 1) / kTile;

    for (std::int64_t tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
        const std::int64_t m0 = tileM * kTile, n0 = std::int64_t(blockIdx.x) * kTile;
        float acc[4][4] = {};
        for (std::int64_t k0 = 0; k0 < k; k0 += kStep) {
            const std::int64_t kk = k0 + loadCol;
#pragma unroll
            for (int pass = 0; pass < 4; ++pass) {
                const int r = loadRow + 16 * pass;
                const std::int64_t gm = m0 + r, gn = n0 + r;
                xs[loadCol][r] = (gm < m && kk < k) ? x[gm * k + kk] : 0.0f;
                ws[loadCol][r] = (gn < n && kk < k) ? w[gn * k + kk] : 0.0f;
            }
            __syncthreads();
#pragma unroll
            for (int p = 0; p < kStep; ++p) {
                float a[4], b[4];
#pragma unroll
                for (int i = 0; i < 4; ++i) {
                    a[i] = xs[p][ty + 16 * i];
                    b[i] = ws[p][tx + 16 * i];
                }
#pragma unroll
                for (int i = 0; i < 4; ++i)
#pragma unroll
                    for (int j = 0; j < 4; ++j)
                        acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const std::int64_t gm = m0 + ty + 16 * i;
            if (gm >= m)
                continue;
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const std::int64_t gn = n0 + tx + 16 * j;
                if (gn < n) // the thread owns this element: a plain read-add-write
                    y[gm * n + gn] = accumulate ? y[gm * n + gn] + acc[i][j] : acc[i][j];
            }
        }
    }
}

} // namespace

cudaError_t launchGemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k,
                       bool accumulate, cudaStream_t stream) {
    if (m <= 0 || n <= 0)
        return cudaSuccess;
    const std::int64_t tilesN = (n + kTile - 1) / kTile, tilesM = (m + kTile - 1) / kTile;
    if (tilesN > 0x7fffffff)
        return cudaErrorInvalidConfiguration;
    const dim3 grid(unsigned(tilesN), gridAxis(tilesM));
    gemmKernel<<<grid, kThreads, 0, stream>>>(x, w, y, m, n, k, accumulate);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
