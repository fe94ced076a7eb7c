// GemmF16: Y (+)= X . W^T with X [m,k] and W [n,k] fp16 and Y fp32, on tensor cores: mma.sync
// m16n8k16 (f16 x f16 -> f32; two m16n8k8 on sm_75), operands staged through shared memory by a
// kStages-deep cp.async ring and read back with ldmatrix.
//
// A block computes a 128 x 128 tile of Y (M tiles along grid x, N tiles along y, looping past
// 65535) with 8 warps as 2 (M) x 4 (N), each warp 64 rows x 32 columns = 4 x 4 mma tiles; K walks
// in slabs of 32. Both operands are K-contiguous ("row.col"), so X and W rows land in shared
// memory as they are, one row of 32 halves per 80 bytes (the 16-byte pad keeps ldmatrix's 8 row
// reads on distinct banks). Bounds: a 16-byte chunk past m, n or k is zero-filled (cp.async with
// source size 0), so any m, n works; a k that is not a multiple of 8 (rows not 16-byte aligned)
// takes the kVec = false instantiation, which loads half by half with a check each. The
// accumulators go to Y as they leave the registers, added to what is there with `accumulate`.
#include "backends/cuda/kernels.cuh"

#include <atomic>

namespace seaside::backends::cuda {
namespace {

constexpr int kBM = 128, kBN = 128, kBK = 32;
constexpr int kThreads = 256;
constexpr int kStages = 3;
constexpr int kStride = kBK + 8;                  // halves per shared row: 80 bytes
constexpr int kRowChunks = kBK / 8;               // 16-byte chunks per row of a slab
constexpr int kChunks = kBM * kRowChunks / kThreads; // chunks per thread per operand per slab
static_assert(kBM == kBN, "one loader serves both operands");
static_assert(kBM * kRowChunks % kThreads == 0, "the slab splits evenly over the threads");

struct Smem {
    std::uint16_t a[kStages][kBM * kStride]; // X slab: [row][k]
    std::uint16_t b[kStages][kBN * kStride]; // W slab: [row][k]
};

__device__ inline void cpAsync16(void *dst, const void *src, bool valid) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const unsigned d = unsigned(__cvta_generic_to_shared(dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(valid ? 16 : 0));
#else // sm_75: no cp.async, a plain synchronous copy (the ring still orders it)
    *static_cast<uint4 *>(dst) = valid ? *static_cast<const uint4 *>(src) : make_uint4(0u, 0u, 0u, 0u);
#endif
}
__device__ inline void cpAsyncCommit() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}
template <int kPending> __device__ inline void cpAsyncWait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
#endif
}

__device__ inline void ldmatrixX4(std::uint32_t (&r)[4], const std::uint16_t *p) {
    const unsigned a = unsigned(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(a));
}

// d += A (16x16, row) . B (16x8, col): a0 rows 0-7 k 0-7, a1 rows 8-15 k 0-7, a2 rows 0-7 k 8-15,
// a3 rows 8-15 k 8-15; b0 k 0-7, b1 k 8-15 (lane l: row/column l / 4, elements 2 (l % 4), + 1).
__device__ inline void mma16816(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#else // sm_75 has m16n8k8 only: the k halves one after the other
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5}, {%6}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(b0));
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 "
                 "{%0,%1,%2,%3}, {%4,%5}, {%6}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[2]), "r"(a[3]), "r"(b1));
#endif
}

// One operand's share of the slabs for one thread: chunk c = tid + 256 i is row c / 4 of the
// tile, halves 8 (c % 4) .. + 7 of the slab (the same k for every i, since 256 % 4 == 0). The row
// pointers are formed once per tile, so a slab costs an add and a compare per chunk.
template <bool kVec> struct SlabLoader {
    const std::uint16_t *src[kChunks]; // the thread's rows at k = kc (any mapped address past the rows)
    bool rowOk[kChunks];
    int kc, dstOffset;
    const std::uint16_t *base;

    __device__ SlabLoader(const std::uint16_t *p, std::int64_t rows, std::int64_t k, std::int64_t r0, int tid)
        : kc(8 * (tid % kRowChunks)), dstOffset((tid / kRowChunks) * kStride + 8 * (tid % kRowChunks)), base(p) {
#pragma unroll
        for (int i = 0; i < kChunks; ++i) {
            const std::int64_t gr = r0 + tid / kRowChunks + (kThreads / kRowChunks) * i;
            rowOk[i] = gr < rows;
            src[i] = p + (rowOk[i] ? gr * k : 0) + kc;
        }
    }
    // The slab starting at k0 into dst [row][k]; k halves past `k` are zero.
    __device__ void load(std::uint16_t *dst, std::int64_t k0, std::int64_t k) const {
        const std::int64_t gk = k0 + kc;
#pragma unroll
        for (int i = 0; i < kChunks; ++i) {
            std::uint16_t *d = dst + dstOffset + (kThreads / kRowChunks) * kStride * i;
            if constexpr (kVec) { // k % 8 == 0: a chunk is all inside k or all outside
                const bool ok = rowOk[i] && gk < k;
                cpAsync16(d, ok ? src[i] + k0 : base, ok);
            } else {
                std::uint32_t packed[4];
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const std::int64_t g0 = gk + 2 * j;
                    const std::uint32_t lo = (rowOk[i] && g0 < k) ? src[i][k0 + 2 * j] : 0u;
                    const std::uint32_t hi = (rowOk[i] && g0 + 1 < k) ? src[i][k0 + 2 * j + 1] : 0u;
                    packed[j] = lo | (hi << 16);
                }
                *reinterpret_cast<uint4 *>(d) = make_uint4(packed[0], packed[1], packed[2], packed[3]);
            }
        }
    }
};

// Two blocks per SM (61 KB of shared memory each) caps a thread at 128 registers, which the tile
// fits without spilling; sm_75 has 64 KB of shared memory per SM, so one block, and more registers.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
constexpr int kMinBlocks = 1;
#else
constexpr int kMinBlocks = 2;
#endif

template <bool kVec>
__global__ void __launch_bounds__(kThreads, kMinBlocks)
    gemmF16Kernel(const std::uint16_t *__restrict__ x, const std::uint16_t *__restrict__ w, float *__restrict__ y,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate) {
    extern __shared__ __align__(16) unsigned char smemBytes[];
    Smem &s = *reinterpret_cast<Smem *>(smemBytes);
    const int tid = int(threadIdx.x), lane = tid % 32, warp = tid / 32;
    const int gid = lane / 4, tig = lane % 4;
    const int wm = (warp / 4) * 64, wn = (warp % 4) * 32; // the warp's corner in the tile
    const std::int64_t m0 = std::int64_t(blockIdx.x) * kBM;
    const std::int64_t tilesN = (n + kBN - 1) / kBN, slabs = (k + kBK - 1) / kBK;

    for (std::int64_t tileN = blockIdx.y; tileN < tilesN; tileN += gridDim.y) {
        const std::int64_t n0 = tileN * kBN;
        const SlabLoader<kVec> loadX(x, m, k, m0, tid), loadW(w, n, k, n0, tid);
        auto issue = [&](std::int64_t slab, int stage) {
            loadX.load(s.a[stage], slab * kBK, k);
            loadW.load(s.b[stage], slab * kBK, k);
        };
        float acc[4][4][4] = {}; // [16-row tile][8-column tile][fragment]
        for (int st = 0; st < kStages - 1; ++st) { // prologue: kStages - 1 slabs in flight
            if (st < slabs)
                issue(st, st);
            cpAsyncCommit(); // always commit, so that group counts stay uniform
        }
        for (std::int64_t kt = 0; kt < slabs; ++kt) {
            cpAsyncWait<kStages - 2>(); // this thread's copies of slab kt have landed
            __syncthreads();            // everyone's have; and everyone is done with slab kt - 1
            const std::int64_t next = kt + kStages - 1; // into the stage slab kt - 1 used
            if (next < slabs)
                issue(next, int(next % kStages));
            cpAsyncCommit();
            const int stage = int(kt % kStages);
            const std::uint16_t *sa = s.a[stage], *sb = s.b[stage];
#pragma unroll
            for (int ks = 0; ks < 2; ++ks) { // the two k16 halves of the slab
                // B: matrix j = lane / 8 is W rows wn + 8 (2p + j / 2) + lane % 8, k 16ks + 8 (j % 2):
                // {r0, r1} are tile 2p's b0, b1 and {r2, r3} tile 2p + 1's.
                std::uint32_t bv[4][2];
#pragma unroll
                for (int p = 0; p < 2; ++p) {
                    std::uint32_t r[4];
                    ldmatrixX4(r, sb + (wn + 8 * (2 * p + lane / 16) + lane % 8) * kStride + 16 * ks +
                                      8 * ((lane / 8) % 2));
                    bv[2 * p][0] = r[0];
                    bv[2 * p][1] = r[1];
                    bv[2 * p + 1][0] = r[2];
                    bv[2 * p + 1][1] = r[3];
                }
#pragma unroll
                for (int mt = 0; mt < 4; ++mt) {
                    // A: X rows wm + 16mt + lane % 16, k 16ks + 8 (lane / 16): matrices in a0..a3 order
                    std::uint32_t av[4];
                    ldmatrixX4(av, sa + (wm + 16 * mt + lane % 16) * kStride + 16 * ks + 8 * (lane / 16));
#pragma unroll
                    for (int nt = 0; nt < 4; ++nt)
                        mma16816(acc[mt][nt], av, bv[nt][0], bv[nt][1]);
                }
            }
        }
        // D fragment: rows gid (d0, d1) and gid + 8 (d2, d3), columns 2 tig and 2 tig + 1.
#pragma unroll
        for (int mt = 0; mt < 4; ++mt)
#pragma unroll
            for (int nt = 0; nt < 4; ++nt)
#pragma unroll
                for (int r = 0; r < 4; ++r) {
                    const std::int64_t gm = m0 + wm + 16 * mt + gid + 8 * (r / 2);
                    const std::int64_t gn = n0 + wn + 8 * nt + 2 * tig + (r % 2);
                    if (gm < m && gn < n) {
                        float *p = y + gm * n + gn;
                        *p = accumulate ? *p + acc[mt][nt][r] : acc[mt][nt][r];
                    }
                }
        __syncthreads(); // the next tile's prologue refills stages this one's last slabs read
    }
}

template <bool kVec>
cudaError_t launch(const std::uint16_t *x, const std::uint16_t *w, float *y, std::int64_t m, std::int64_t n,
                   std::int64_t k, bool accumulate, cudaStream_t stream) {
    constexpr int kBytes = int(sizeof(Smem));
    static std::atomic<std::uint64_t> configured{0}; // devices whose shared-memory limit was raised
    int dev = 0;
    if (cudaError_t err = cudaGetDevice(&dev); err != cudaSuccess)
        return err;
    const std::uint64_t bit = dev < 64 ? std::uint64_t(1) << dev : 0;
    if (!bit || !(configured.load() & bit)) {
        if (cudaError_t err =
                cudaFuncSetAttribute(gemmF16Kernel<kVec>, cudaFuncAttributeMaxDynamicSharedMemorySize, kBytes);
            err != cudaSuccess)
            return err;
        configured.fetch_or(bit);
    }
    const std::int64_t tilesM = (m + kBM - 1) / kBM, tilesN = (n + kBN - 1) / kBN;
    if (tilesM > 0x7fffffff)
        return cudaErrorInvalidConfiguration;
    // M along x: the blocks resident together share W tiles (the larger operand in a MoE expert)
    const dim3 grid(unsigned(tilesM), gridAxis(tilesN));
    gemmF16Kernel<kVec><<<grid, kThreads, kBytes, stream>>>(x, w, y, m, n, k, accumulate);
    return cudaGetLastError();
}

} // namespace

cudaError_t launchGemmF16(const std::uint16_t *x, const std::uint16_t *w, float *y, std::int64_t m, std::int64_t n,
                          std::int64_t k, bool accumulate, cudaStream_t stream) {
    if (m <= 0 || n <= 0)
        return cudaSuccess;
    // 16-byte chunks need every row 16-byte aligned: k % 8 == 0 and aligned bases (cudaMalloc's are)
    const bool vec = k % 8 == 0 && reinterpret_cast<std::uintptr_t>(x) % 16 == 0 &&
                     reinterpret_cast<std::uintptr_t>(w) % 16 == 0;
    return vec ? launch<true>(x, w, y, m, n, k, accumulate, stream)
               : launch<false>(x, w, y, m, n, k, accumulate, stream);
}

} // namespace seaside::backends::cuda
