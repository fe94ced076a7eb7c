// Ssmm24: Y[i,n] = X[row(i),:] . W[n,:]^T with W 2:4-sparse along k (kernels/nm_sparse.h), the
// activation rows gathered by id while the tile loads (Samoyeds: never compacted in memory).
// Paired with shaders/ssmm24.comp.
//
// Metadata decoding: W row n keeps 2 of every 4 weights. Group g (k = 4g..4g+3) has its two
// values at V[n*k/2 + 2g], V[n*k/2 + 2g + 1] and its two positions in 4 bits of the metadata word
// M[n*metaWords + g/8], shifted by (g%8)*4: p0 = bits 0-1, p1 = bits 2-3, so
//   Y[i,n] = sum_g V[2g]*X[row(i), 4g+p0] + V[2g+1]*X[row(i), 4g+p1],  row(i) = rows[i] or i.
// One metadata word covers 8 groups = 32 k, so K is walked in slabs of 32 (both paths here tile
// 64 W rows x 64 tokens per slab). Groups past k/4 in the last word read zero values and zero X,
// whatever their metadata bits say.
#include "backends/cuda/kernels.cuh"

#include <cuda_fp16.h>

#include <cstdlib>
#include <cstring>

namespace seaside::backends::cuda {
namespace {

constexpr int kTileN = 64; // W rows (outputs' columns) per block
constexpr int kTileM = 64; // tokens per block
constexpr int kStepK = 32; // dense k per stage: 8 groups of 4, one uint32 of metadata per W row

// Fills ids[0..kTileM) with the X row of each token of the tile, -1 past m or past X.
__device__ void gatherRowIds(std::int64_t *ids, const Ssmm24Args &a, std::int64_t m0) {
    for (int t = int(threadIdx.x); t < kTileM; t += int(blockDim.x)) {
        const std::int64_t gm = m0 + t;
        std::int64_t id = -1;
        if (gm < a.m)
            id = a.rows ? std::int64_t(a.rows[gm]) : gm;
        ids[t] = id < a.xRows ? id : -1;
    }
}

// ---- (a) CUDA cores, fp32: 256 threads, each 4 W rows x 4 tokens ------------------------------
__global__ void __launch_bounds__(256) ssmm24CoreKernel(const Ssmm24Args a) {
    __shared__ float xs[kTileM][kStepK + 1];  // [token][k]
    __shared__ float wv[kTileN][kStepK / 2 + 1]; // [W row][kept value]
    __shared__ std::uint32_t wm[kTileN];       // [W row] metadata word of this stage
    __shared__ std::int64_t ids[kTileM];
    const int tid = int(threadIdx.x), tx = tid % 16, ty = tid / 16;
    const std::int64_t metaWords = (a.k / 4 + 7) / 8, half = a.k / 2;
    const std::int64_t n0 = std::int64_t(blockIdx.x) * kTileN, tilesM = (a.m + kTileM - 1) / kTileM;

    for (std::int64_t tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
        const std::int64_t m0 = tileM * kTileM;
        gatherRowIds(ids, a, m0);
        __syncthreads();
        float acc[4][4] = {};
        for (std::int64_t k0 = 0; k0 < a.k; k0 += kStepK) {
            for (int p = 0; p < 8; ++p) { // X: 64 tokens x 32 k, coalesced along k
                const int t = tid / 32 + 8 * p, c = tid % 32;
                const std::int64_t kk = k0 + c, id = ids[t];
                xs[t][c] = (id >= 0 && kk < a.k) ? a.x[id * a.k + kk] : 0.0f;
            }
            for (int p = 0; p < 4; ++p) { // W values: 64 rows x 16; padding is zero
                const int r = tid / 16 + 16 * p, c = tid % 16;
                const std::int64_t gn = n0 + r, kv = k0 / 2 + c;
                wv[r][c] = (gn < a.n && kv < half) ? a.values[gn * half + kv] : 0.0f;
            }
            if (tid < kTileN) {
                const std::int64_t gn = n0 + tid;
                wm[tid] = gn < a.n ? a.meta[gn * metaWords + k0 / kStepK] : 0u;
            }
            __syncthreads();
#pragma unroll
            for (int g = 0; g < kStepK / 4; ++g) {
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const int r = tx + 16 * j;
                    const std::uint32_t nib = wm[r] >> (4 * g);
                    const int c0 = 4 * g + int(nib & 3u), c1 = 4 * g + int((nib >> 2) & 3u);
                    const float v0 = wv[r][2 * g], v1 = wv[r][2 * g + 1];
#pragma unroll
                    for (int i = 0; i < 4; ++i) {
                        const float *xr = xs[ty + 16 * i];
                        acc[i][j] = fmaf(v1, xr[c1], fmaf(v0, xr[c0], acc[i][j]));
                    }
                }
            }
            __syncthreads();
        }
        for (int i = 0; i < 4; ++i) {
            const std::int64_t gm = m0 + ty + 16 * i;
            for (int j = 0; j < 4; ++j) {
                const std::int64_t gn = n0 + tx + 16 * j;
                if (gm < a.m && gn < a.n)
                    a.y[gm * a.n + gn] = acc[i][j];
            }
        }
    }
}

// ---- (b) Sparse Tensor Cores: mma.sp m16n8k32, A = W (sparse, 16 W rows), B = X^T (8 tokens) ----
constexpr int kTcThreads = 128;     // 4 warps, 2 x 2, each 32 W rows x 32 tokens
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800 // helpers unused in the sm_75 device pass
constexpr int kStrideA = 16 + 8;    // halves per W row in sA (16 kept values + pad: no conflicts)
constexpr int kStrideB = kStepK + 8; // halves per token in sB

__device__ inline std::uint32_t packHalf2(float lo, float hi) {
    const __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<const std::uint32_t *>(&h);
}

#if __CUDACC_VER_MAJOR__ > 12 || (__CUDACC_VER_MAJOR__ == 12 && __CUDACC_VER_MINOR__ >= 5)
#define SEASIDE_MMA_SP "mma.sp::ordered_metadata"
#else
#define SEASIDE_MMA_SP "mma.sp"
#endif

__device__ inline void mmaSp16832(float (&d)[4], const std::uint32_t (&av)[4], const std::uint32_t (&bv)[4],
                                  std::uint32_t e) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    // Sparsity selector 0: threads T0 and T1 of every group of four hold the metadata. The
    // re-packing keeps p0 < p1, so ::ordered_metadata (PTX 8.5, CUDA 12.5) means the same as plain
    // .sp, which ptxas warns is slow on newer architectures.
    asm volatile(SEASIDE_MMA_SP ".sync.aligned.m16n8k32.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, 0x0;\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(av[0]), "r"(av[1]), "r"(av[2]), "r"(av[3]), "r"(bv[0]), "r"(bv[1]), "r"(bv[2]),
                   "r"(bv[3]), "r"(e));
#endif
}
#endif

__global__ void __launch_bounds__(kTcThreads) ssmm24TensorKernel(const Ssmm24Args a) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    __shared__ __align__(16) __half sA[kTileN * kStrideA]; // kept W values, fp16
    __shared__ __align__(16) __half sB[kTileM * kStrideB]; // X rows, fp16
    __shared__ std::uint16_t sMeta[kTileN][2];              // [W row][k half] re-packed metadata
    __shared__ std::int64_t ids[kTileM];
    const std::uint32_t *wA = reinterpret_cast<const std::uint32_t *>(sA);
    const std::uint32_t *wB = reinterpret_cast<const std::uint32_t *>(sB);
    const int tid = int(threadIdx.x), lane = tid % 32, warp = tid / 32;
    const int gid = lane / 4, tig = lane % 4;
    const int wr = (warp / 2) * 32, wc = (warp % 2) * 32;
    const std::int64_t metaWords = (a.k / 4 + 7) / 8, half = a.k / 2, groups = a.k / 4;
    const std::int64_t n0 = std::int64_t(blockIdx.x) * kTileN, tilesM = (a.m + kTileM - 1) / kTileM;
    const int ldRow = tid / 2, ldHalf = tid % 2; // loads: 2 threads per W row / per token

    for (std::int64_t tileM = blockIdx.y; tileM < tilesM; tileM += gridDim.y) {
        const std::int64_t m0 = tileM * kTileM;
        gatherRowIds(ids, a, m0);
        __syncthreads();
        float acc[2][4][4] = {};
        for (std::int64_t k0 = 0; k0 < a.k; k0 += kStepK) {
            {   // W: this thread's 4 groups (16 dense k) of one row, fp32 -> fp16
                const std::int64_t gn = n0 + ldRow;
                const std::uint32_t word = gn < a.n ? a.meta[gn * metaWords + k0 / kStepK] : 0u;
                std::uint32_t nibbles = 0;
                for (int q = 0; q < 4; ++q) {
                    const int g = 4 * ldHalf + q;
                    const std::int64_t gk = k0 / 4 + g;
                    // Re-packing for mma.sp (decoding as at the top of the file): the nibble
                    // (p0 | p1 << 2, group g at bits 4g) is the PTX layout too, but mma.sp needs
                    // p0 < p1 (equal or reversed pairs are undefined), so a reversed pair swaps and
                    // an equal pair folds both values onto one position; padding groups (past k or
                    // n) get zero values at positions (0,1). A slab's 8 nibbles are then split by
                    // k half: with selector 0, lane T0 of each quad holds k 0-15 and T1 k 16-31,
                    // the quad's row (lane/4) in bits 0-15 and that row + 8 in bits 16-31.
                    int p0 = 0, p1 = 1;
                    float v0 = 0.0f, v1 = 0.0f;
                    if (gn < a.n && gk < groups) {
                        p0 = int((word >> (4 * g)) & 3u);
                        p1 = int((word >> (4 * g + 2)) & 3u);
                        v0 = a.values[gn * half + 2 * gk];
                        v1 = a.values[gn * half + 2 * gk + 1];
                        if (p0 > p1) {
                            const int p = p0; p0 = p1; p1 = p;
                            const float v = v0; v0 = v1; v1 = v;
                        } else if (p0 == p1) {
                            const float s = v0 + v1;
                            if (p0 == 3) { p0 = 2; v0 = 0.0f; v1 = s; }
                            else { p1 = p0 + 1; v0 = s; v1 = 0.0f; }
                        }
                    }
                    nibbles |= std::uint32_t(p0 | (p1 << 2)) << (4 * q);
                    reinterpret_cast<std::uint32_t *>(sA)[ldRow * (kStrideA / 2) + g] = packHalf2(v0, v1);
                }
                sMeta[ldRow][ldHalf] = std::uint16_t(nibbles);
            }
            {   // X: 16 k of one gathered token, float4 loads (k % 4 == 0 keeps them aligned)
                const std::int64_t id = ids[ldRow];
                for (int q = 0; q < 4; ++q) {
                    const std::int64_t kk = k0 + 16 * ldHalf + 4 * q;
                    float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                    if (id >= 0 && kk < a.k)
                        v = *reinterpret_cast<const float4 *>(a.x + id * a.k + kk);
                    std::uint32_t *dst = reinterpret_cast<std::uint32_t *>(sB) + ldRow * (kStrideB / 2) +
                                         8 * ldHalf + 2 * q;
                    dst[0] = packHalf2(v.x, v.y);
                    dst[1] = packHalf2(v.z, v.w);
                }
            }
            __syncthreads();
#pragma unroll
            for (int mt = 0; mt < 2; ++mt) {
                // A fragment: compressed 16x16, the dense m16n8k16 A layout (rows gid, gid + 8;
                // kept values 2*tig, 2*tig + 1 and 8 further on).
                const int ra = wr + 16 * mt + gid;
                const std::uint32_t av[4] = {wA[ra * (kStrideA / 2) + tig], wA[(ra + 8) * (kStrideA / 2) + tig],
                                             wA[ra * (kStrideA / 2) + tig + 4],
                                             wA[(ra + 8) * (kStrideA / 2) + tig + 4]};
                const int h = lane % 2;
                const std::uint32_t e = std::uint32_t(sMeta[ra][h]) | (std::uint32_t(sMeta[ra + 8][h]) << 16);
#pragma unroll
                for (int nt = 0; nt < 4; ++nt) {
                    // B fragment (col-major 32x8 = token rows of X): token gid, k 2*tig + 8*i.
                    const int tb = wc + 8 * nt + gid;
                    const std::uint32_t bv[4] = {wB[tb * (kStrideB / 2) + tig], wB[tb * (kStrideB / 2) + tig + 4],
                                                 wB[tb * (kStrideB / 2) + tig + 8],
                                                 wB[tb * (kStrideB / 2) + tig + 12]};
                    mmaSp16832(acc[mt][nt], av, bv, e);
                }
            }
            __syncthreads();
        }
        // D fragment: W rows gid (d0, d1) and gid + 8 (d2, d3); tokens 2*tig, 2*tig + 1.
        for (int mt = 0; mt < 2; ++mt)
            for (int nt = 0; nt < 4; ++nt)
                for (int r = 0; r < 4; ++r) {
                    const std::int64_t gn = n0 + wr + 16 * mt + gid + 8 * (r / 2);
                    const std::int64_t gm = m0 + wc + 8 * nt + 2 * tig + (r % 2);
                    if (gn < a.n && gm < a.m)
                        a.y[gm * a.n + gn] = acc[mt][nt][r];
                }
    }
#endif
}

} // namespace

Ssmm24Path ssmm24Choose(int ccMajor, std::int64_t m, std::int64_t n, std::int64_t k) {
    if (ccMajor < 8)
        return Ssmm24Path::CudaCore;
    const char *env = std::getenv("SEASIDE_CUDA_SSMM");
    if (env && std::strcmp(env, "cuda-core") == 0)
        return Ssmm24Path::CudaCore;
    if (env && std::strcmp(env, "tensor-core") == 0)
        return Ssmm24Path::TensorCore;
    // Small problems waste most of a 64x64 tile of mma.sp; fp32 FMAs are as quick there and exact.
    return (m >= 16 && n >= 64 && k >= 64) ? Ssmm24Path::TensorCore : Ssmm24Path::CudaCore;
}

const char *ssmm24PathName(Ssmm24Path path) {
    return path == Ssmm24Path::TensorCore ? "tensor-core" : "cuda-core";
}

cudaError_t launchSsmm24(const Ssmm24Args &args, Ssmm24Path path, cudaStream_t stream) {
    if (args.m <= 0 || args.n <= 0)
        return cudaSuccess;
    const std::int64_t tilesN = (args.n + kTileN - 1) / kTileN, tilesM = (args.m + kTileM - 1) / kTileM;
    if (tilesN > 0x7fffffff)
        return cudaErrorInvalidConfiguration;
    const dim3 grid(unsigned(tilesN), gridAxis(tilesM));
    if (path == Ssmm24Path::TensorCore)
        ssmm24TensorKernel<<<grid, kTcThreads, 0, stream>>>(args);
    else
        ssmm24CoreKernel<<<grid, 256, 0, stream>>>(args);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
