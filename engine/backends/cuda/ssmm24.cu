// Ssmm24: Y[i,n] = X[row(i),:] . W[n,:]^T with W 2:4-sparse along k (kernels/nm_sparse.h), the
// activation rows gathered by id while the tile loads (Samoyeds: never compacted in memory).
// Paired with shaders/ssmm24.comp.
//
// Metadata decoding: W row n keeps 2 of every 4 weights. Group g (k = 4g..4g+3) has its two
// values at V[n*k/2 + 2g], V[n*k/2 + 2g + 1] and its two positions in 4 bits of the metadata word
// M[n*metaWords + g/8], shifted by (g%8)*4: p0 = bits 0-1, p1 = bits 2-3, so
//   Y[i,n] = sum_g V[2g]*X[row(i), 4g+p0] + V[2g+1]*X[row(i), 4g+p1],  row(i) = rows[i] or i.
// One metadata word covers 8 groups = 32 k, so K is walked in slabs of 32 (the CUDA-core path
// tiles 64 W rows x 64 tokens, the tensor-core path 256 W rows x 128 or 64 tokens). Groups past
// k/4 in the last word read zero values and zero X, whatever their metadata bits say.
//
// Epilogues (backend.h): each result goes through emit<kOut>() as it leaves the accumulator
// registers, so Store, SiluMul and GateScatterAdd cost no pass over Y of their own. The epilogue
// (with Store's accumulate flag folded in) is a template parameter of both kernels, so the Store
// instantiation is the plain kernel.
#include "backends/cuda/kernels.cuh"

#include <cuda_fp16.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace seaside::backends::cuda {
namespace {

constexpr int kTileN = 64; // W rows (outputs' columns) per block
constexpr int kTileM = 64; // tokens per block
constexpr int kStepK = 32; // dense k per stage: 8 groups of 4, one uint32 of metadata per W row
// The tensor-core kernel indexes within a row in int: k up to this leaves room for a slab's end.
constexpr std::int64_t kTcMaxK = 0x7fffffff - 2 * kStepK;

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

// One result acc of output row i (the i-th token of the call, whatever X row it was gathered from)
// and column c (W row) through the epilogue. Each (i, c) has one owner thread, so the plain
// read-modify-writes are race-free: SiluMul reads e[i,c] before it writes Y[i,c] (the same
// element when e is Y), GateScatterAdd's rows scatter[i] are distinct within a call (backend.h).
// `atomic`: split K, other blocks add partial sums of the same result, into a Y that the launcher
// zeroed first where the epilogue overwrites (Store without accumulate, SiluMul with e not Y).
enum class Out { Store, Add, SiluMul, GateScatterAdd }; // Add: Store with accumulate

constexpr Out outOf(const Ssmm24Args &a) {
    switch (a.epilogue) {
    case SsmmEpilogue::Store:
        return a.accumulate ? Out::Add : Out::Store;
    case SsmmEpilogue::SiluMul:
        return Out::SiluMul;
    case SsmmEpilogue::GateScatterAdd:
        return Out::GateScatterAdd;
    }
    return Out::Store;
}

template <Out kOut>
__device__ __forceinline__ void emit(const Ssmm24Args &a, std::int64_t i, std::int64_t c, float acc, bool atomic) {
    if constexpr (kOut == Out::Store || kOut == Out::Add) {
        float *p = a.y + i * a.n + c;
        if (atomic)
            atomicAdd(p, acc);
        else if constexpr (kOut == Out::Add)
            *p += acc;
        else
            *p = acc;
    } else if constexpr (kOut == Out::SiluMul) {
        const std::int64_t at = i * a.n + c;
        const float g = a.e[at];
        const float v = g / (1.0f + expf(-g)) * acc; // as the CPU: silu(g) = g / (1 + exp(-g))
        if (atomic)
            atomicAdd(a.y + at, v);
        else
            a.y[at] = v;
    } else {
        const std::int64_t row = a.scatter[i];
        if (row >= a.yRows) // outside Y: dropped rather than written (a malformed call, never a fault)
            return;
        float *p = a.y + row * a.n + c;
        const float v = a.e[i] * acc;
        if (atomic)
            atomicAdd(p, v);
        else
            *p += v;
    }
}

// ---- (a) CUDA cores, fp32: 256 threads, each 4 W rows x 4 tokens ------------------------------
template <Out kOut> __global__ void __launch_bounds__(256) ssmm24CoreKernel(const Ssmm24Args a) {
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
                    emit<kOut>(a, gm, gn, acc[i][j], false);
            }
        }
    }
}

// ---- (b) Sparse Tensor Cores: mma.sp m16n8k32, A = W (sparse, 16 W rows), B = X^T (8 tokens) ----
// A block computes 256 W rows x kTm tokens (kTm = 128, or 64 for m <= 64) with 16 warps as
// 4 (W) x 4 (tokens), each warp 64 W rows x kTm/4 tokens. K walks in slabs of 32 dense k (16 kept
// values and one metadata word per W row). The operands stream from L2 as fp32, so the big tile
// is what keeps the bytes per mma down. When the tiles alone cannot fill the GPU, K is split over
// gridDim.z and the partial sums are added atomically into a zeroed Y.
//
// Pipeline. X and W are fp32 in memory while mma.sp wants fp16, and cp.async cannot convert, so
// every slab passes through two kinds of shared buffers:
//   1. raw: cp.async copies the thread's own share of the slab (its X float4s, half a W row's kept
//      values and that row's metadata word) into a per-thread slot of a kStages-deep ring, so
//      kStages - 1 slabs are in flight while the block computes;
//   2. fp16: when that cp.async group has landed, the same thread converts its slot to fp16 (and
//      re-packs the metadata) into one of two fp16 buffers, which the warps read with ldmatrix.
// A thread only ever reads back raw bytes it copied itself, so cp.async.wait_group alone orders
// step 2 after step 1 and a raw slot may be refilled right after its conversion: the one barrier
// per slab sits between the conversion and the mma.sp that read the fp16 buffer (the barrier of
// slab s also tells the converters of slab s + 1 that the mma of slab s - 1, the previous user of
// their fp16 buffer, are done).
constexpr int kTcThreads = 512;
constexpr int kTcTileN = 256;        // W rows per block
// Ring depth 2 (one slab in flight while the block converts and multiplies): on an H100, depths
// 3, 4 and 5 ran the Mixtral expert shapes 2-5 %, 25 % and 35 % slower (most likely because a
// deeper ring leaves less L1 for the register spills). gpu_check.sh times depth 3 (the deepest that
// fits sm_80, below) with SEASIDE_GPU_CHECK_NVCC_FLAGS=-DSEASIDE_SSMM_TC_STAGES=3.
#ifndef SEASIDE_SSMM_TC_STAGES
#define SEASIDE_SSMM_TC_STAGES 2
#endif
constexpr int kStages = SEASIDE_SSMM_TC_STAGES; // raw ring depth: kStages - 1 slabs in flight
static_assert(kStages >= 2, "the ring needs a slab in flight");
constexpr int kStrideA = 16 + 8;     // halves per W row in sA: 48 B apart, ldmatrix is conflict-free
constexpr int kStrideB = kStepK + 8; // halves per token in sB: 80 B apart, likewise

template <int kTm> struct TcSmem {
    static constexpr int kXChunks = kTm * (kStepK / 4) / kTcThreads; // X float4s per thread per slab
    float4 rawX[kStages][kXChunks][kTcThreads]; // chunk c = t + 512 i: token c / 8, k 4 * (c % 8)
    float2 rawW[kStages][4][kTcThreads];        // thread t: W row t / 2, group 2q + t % 2
    std::uint32_t rawM[kStages][kTcThreads];    // thread t: W row t / 2's metadata word
    __half sA[2][kTcTileN * kStrideA];          // kept W values, fp16, [W row][value]
    __half sB[2][kTm * kStrideB];               // X, fp16, [token][logical k], see kLogical
    std::uint32_t sE[2][kTcTileN];              // mma.sp metadata operands, see convertSlab
    std::uint32_t xId[kXChunks][kTcThreads];    // thread t's X rows (see the kernel)
};
// 163 KB is the most shared memory a block can have on sm_80 (sm_90: 227 KB); a tile that needs
// more would quietly run on the CUDA cores there (launchWith), so a deeper ring must fit it.
static_assert(sizeof(TcSmem<128>) <= 163 * 1024, "the tensor-core tile must fit a block's shared memory on sm_80");

// The k order inside a slab. mma.sp only needs A and B to agree on it, so the fp16 buffers hold
// the slab's 8 groups permuted: physical group g (k 4g..4g+3, positions inside it unchanged) sits
// at logical group kLogical(g) = 4 (g % 2) + g / 2. That lets the two threads sharing a W row copy
// adjacent groups (2q and 2q + 1, 16 contiguous bytes per pair per cp.async) while each still
// ends up with the 4 logical groups of one k half (logical 4h .. 4h+3), which is how the mma.sp
// metadata operand splits the slab.
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800 // helpers unused in the sm_75 device pass
__device__ inline int kLogical(int g) { return 4 * (g % 2) + g / 2; }

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

// cp.async of `bytes` (4, 8 or 16) from global to shared; an invalid source zero-fills (src-size 0)
// and reads nothing, though it is still given a mapped address.
template <int kBytes> __device__ inline void cpAsync(void *dst, const void *src, bool valid) {
    const unsigned d = unsigned(__cvta_generic_to_shared(dst));
    if constexpr (kBytes == 16)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(valid ? 16 : 0));
    else
        asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(d), "l"(src), "n"(kBytes),
                     "r"(valid ? kBytes : 0));
}
__device__ inline void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int kPending> __device__ inline void cpAsyncWait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
}

// Four 8x8 b16 matrices; lanes 8j..8j+7 give the row addresses of matrix j, and lane l receives
// row l / 4, elements 2 * (l % 4) and + 1 of each (the mma fragment layout).
__device__ inline void ldmatrixX4(std::uint32_t (&r)[4], const __half *p) {
    const unsigned a = unsigned(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(a));
}
#endif

template <int kTm, Out kOut>
__global__ void __launch_bounds__(kTcThreads, 1) ssmm24TensorKernel(const Ssmm24Args a) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    using Smem = TcSmem<kTm>;
    constexpr int kXChunks = Smem::kXChunks, kNt = kTm / 32; // kNt: 8-token mma tiles per warp
    extern __shared__ __align__(16) unsigned char smemBytes[];
    Smem &s = *reinterpret_cast<Smem *>(smemBytes);
    const int tid = int(threadIdx.x), lane = tid % 32, warp = tid / 32;
    const int gid = lane / 4, tig = lane % 4;
    const int wRow = (warp / 4) * 64, wTok = (warp % 4) * (kTm / 4); // the warp's corner in the tile
    // Within a row, k and its derivatives (k + kStepK, k0 + xk) fit in int: launchWith sends
    // k past kTcMaxK to the CUDA cores.
    const std::int64_t metaWords = (a.k / 4 + 7) / 8, half = a.k / 2;
    const int k = int(a.k), groups = k / 4, slabs = (k + kStepK - 1) / kStepK;
    const std::int64_t m0 = std::int64_t(blockIdx.x) * kTm, tilesN = (a.n + kTcTileN - 1) / kTcTileN;

    // The X rows this thread copies (the gather happens here, once per block), ~0 past m or X.
    // Kept as 32-bit ids in the thread's own shared-memory slots, not in registers: the 128-token
    // kernels are at 128 registers, and with the ids in registers they spilled twice as much.
    const int xk = 4 * (tid % 8); // k of its float4 in the slab, the same for every chunk
    const int xkLogical = 4 * kLogical(tid % 8); // where that float4 goes in sB
#pragma unroll
    for (int i = 0; i < kXChunks; ++i) {
        const std::int64_t gm = m0 + (tid + kTcThreads * i) / 8;
        std::int64_t id = -1;
        if (gm < a.m)
            id = a.rows ? std::int64_t(a.rows[gm]) : gm;
        s.xId[i][tid] = (id >= 0 && id < a.xRows && id < 0xffffffff) ? std::uint32_t(id) : 0xffffffffu;
    }
    const int wr = tid / 2, wh = tid % 2; // the W row and the k half (logical) this thread copies
    // Split K: this block's slabs are [slab0, slab0 + count).
    const int slab0 = int(std::int64_t(blockIdx.z) * slabs / gridDim.z);
    const int count = int(std::int64_t(blockIdx.z + 1) * slabs / gridDim.z) - slab0;
    const bool split = gridDim.z > 1;

    for (std::int64_t tileN = blockIdx.y; tileN < tilesN; tileN += gridDim.y) {
        const std::int64_t n0 = tileN * kTcTileN, gn = n0 + wr;
        const bool rowOk = gn < a.n;
        const float *wSrc = a.values + (rowOk ? gn * half : 0);
        const std::uint32_t *mSrc = a.meta + (rowOk ? gn * metaWords : 0);

        auto issueSlab = [&](int slab, int stage) {
            const int k0 = slab * kStepK;
#pragma unroll
            for (int i = 0; i < kXChunks; ++i) { // k % 4 == 0: a float4 is all in or all out
                const std::uint32_t id = s.xId[i][tid];
                const bool ok = id != 0xffffffffu && k0 + xk < k;
                cpAsync<16>(&s.rawX[stage][i][tid], ok ? a.x + std::int64_t(id) * k + (k0 + xk) : a.x, ok);
            }
#pragma unroll
            for (int q = 0; q < 4; ++q) { // k/2 is even, so a group's value pair is 8-byte aligned
                const int gk = slab * 8 + 2 * q + wh; // physical group 2q + wh, logical 4wh + q
                const bool ok = rowOk && gk < groups;
                cpAsync<8>(&s.rawW[stage][q][tid], ok ? wSrc + 2 * gk : a.values, ok);
            }
            cpAsync<4>(&s.rawM[stage][tid], rowOk ? mSrc + slab : a.meta, rowOk);
        };

        // convertSlab: the thread's raw slot -> fp16 buffer `buf`.
        auto convertSlab = [&](int slab, int stage, int buf) {
#pragma unroll
            for (int i = 0; i < kXChunks; ++i) {
                const float4 v = s.rawX[stage][i][tid];
                const int token = (tid + kTcThreads * i) / 8;
                *reinterpret_cast<uint2 *>(&s.sB[buf][token * kStrideB + xkLogical]) =
                    make_uint2(packHalf2(v.x, v.y), packHalf2(v.z, v.w));
            }
            const std::uint32_t word = s.rawM[stage][tid];
            std::uint32_t nibbles = 0;
#pragma unroll
            for (int q = 0; q < 4; ++q) {
                const int g = 2 * q + wh, gk = slab * 8 + g; // physical group; logical 4wh + q
                // Re-packing for mma.sp (decoding as at the top of the file): the nibble
                // (p0 | p1 << 2, group g at bits 4g) is the PTX layout too, but mma.sp needs
                // p0 < p1 (equal or reversed pairs are undefined), so a reversed pair swaps and
                // an equal pair folds both values onto one position; padding groups (past k or
                // n) get zero values at positions (0,1). A slab's 8 nibbles are then split by
                // k half: with selector 0, lane T0 of each quad holds (logical) k 0-15 and T1 k 16-31,
                // the quad's row (lane/4) in bits 0-15 and that row + 8 in bits 16-31.
                int p0 = 0, p1 = 1;
                float v0 = 0.0f, v1 = 0.0f;
                if (rowOk && gk < groups) {
                    const float2 v = s.rawW[stage][q][tid];
                    p0 = int((word >> (4 * g)) & 3u);
                    p1 = int((word >> (4 * g + 2)) & 3u);
                    v0 = v.x;
                    v1 = v.y;
                    if (p0 > p1) {
                        const int p = p0; p0 = p1; p1 = p;
                        const float t = v0; v0 = v1; v1 = t;
                    } else if (p0 == p1) {
                        const float sum = v0 + v1;
                        if (p0 == 3) { p0 = 2; v0 = 0.0f; v1 = sum; }
                        else { p1 = p0 + 1; v0 = sum; v1 = 0.0f; }
                    }
                }
                nibbles |= std::uint32_t(p0 | (p1 << 2)) << (4 * q);
                reinterpret_cast<std::uint32_t *>(s.sA[buf])[wr * (kStrideA / 2) + 4 * wh + q] = packHalf2(v0, v1);
            }
            // sE holds each lane's operand ready-made: word (r/16)*16 + 2*gid + h is what lane
            // (gid, h = lane % 2) passes for the 16 W rows r/16*16.., i.e. the k-half-h nibbles of
            // row r/16*16 + gid in bits 0-15 and of row r/16*16 + gid + 8 in bits 16-31.
            reinterpret_cast<std::uint16_t *>(s.sE[buf])[2 * ((wr / 16) * 16 + (wr % 8) * 2 + wh) + (wr % 16) / 8] =
                std::uint16_t(nibbles);
        };

        float acc[4][kNt][4] = {};
        for (int st = 0; st < kStages - 1; ++st) { // prologue: kStages - 1 slabs in flight
            if (st < count)
                issueSlab(slab0 + st, st);
            cpAsyncCommit(); // always commit, so that group counts stay uniform
        }
        for (int kt = 0; kt < count; ++kt) {
            const int buf = kt % 2;
            cpAsyncWait<kStages - 2>(); // this thread's copies of slab kt have landed
            convertSlab(slab0 + kt, kt % kStages, buf);
            if (kt + kStages - 1 < count) // refill the slot converted in the previous iteration
                issueSlab(slab0 + kt + kStages - 1, (kt + kStages - 1) % kStages);
            cpAsyncCommit();
            __syncthreads();
            std::uint32_t bv[kNt][4]; // B: token wTok + 8nt + lane%8; matrix j = k 8j .. 8j+7
#pragma unroll
            for (int nt = 0; nt < kNt; ++nt)
                ldmatrixX4(bv[nt], &s.sB[buf][(wTok + 8 * nt + lane % 8) * kStrideB + 8 * (lane / 8)]);
#pragma unroll
            for (int mt = 0; mt < 4; ++mt) {
                // A: compressed 16x16, matrices (rows 0-7, 8-15) x (values 0-7, 8-15) in the
                // order of the dense m16n8k16 A fragment.
                std::uint32_t av[4];
                ldmatrixX4(av, &s.sA[buf][(wRow + 16 * mt + lane % 16) * kStrideA + 8 * (lane / 16)]);
                const std::uint32_t e = s.sE[buf][(wRow / 16 + mt) * 16 + 2 * gid + lane % 2];
#pragma unroll
                for (int nt = 0; nt < kNt; ++nt)
                    mmaSp16832(acc[mt][nt], av, bv[nt], e);
            }
        }
        // D fragment: W rows gid (d0, d1) and gid + 8 (d2, d3); tokens 2*tig, 2*tig + 1.
#pragma unroll
        for (int mt = 0; mt < 4; ++mt)
#pragma unroll
            for (int nt = 0; nt < kNt; ++nt)
#pragma unroll
                for (int r = 0; r < 4; ++r) {
                    const std::int64_t gnOut = n0 + wRow + 16 * mt + gid + 8 * (r / 2);
                    const std::int64_t gm = m0 + wTok + 8 * nt + 2 * tig + (r % 2);
                    if (gnOut < a.n && gm < a.m) {
                        if constexpr (kOut == Out::Store) { // the plain kernel's code, as it was
                            if (split)
                                atomicAdd(&a.y[gm * a.n + gnOut], acc[mt][nt][r]);
                            else
                                a.y[gm * a.n + gnOut] = acc[mt][nt][r];
                        } else {
                            emit<kOut>(a, gm, gnOut, acc[mt][nt][r], split);
                        }
                    }
                }
        __syncthreads(); // the next tile's first conversion rewrites buffers this one's mma read
    }
#endif
}

// One launch of the tensor-core kernel with kTm tokens per block: M along grid x (no practical
// limit), W-row tiles along y (the kernel loops past 65535), so the blocks running together share
// W tiles and X stays in L2.
template <int kTm, Out kOut>
cudaError_t launchTensor(const Ssmm24Args &args, int sms, cudaStream_t stream) {
    constexpr int kBytes = int(sizeof(TcSmem<kTm>));
    static std::atomic<std::uint64_t> configured{0}; // devices whose smem limit was raised
    int dev = 0;
    if (cudaError_t err = cudaGetDevice(&dev); err != cudaSuccess)
        return err;
    const std::uint64_t bit = dev < 64 ? std::uint64_t(1) << dev : 0;
    if (!bit || !(configured.load() & bit)) {
        if (cudaError_t err = cudaFuncSetAttribute(ssmm24TensorKernel<kTm, kOut>,
                                                   cudaFuncAttributeMaxDynamicSharedMemorySize, kBytes);
            err != cudaSuccess)
            return err;
        configured.fetch_or(bit);
    }
    const std::int64_t tilesM = (args.m + kTm - 1) / kTm, tilesN = (args.n + kTcTileN - 1) / kTcTileN;
    if (tilesM > 0x7fffffff)
        return cudaErrorInvalidConfiguration;
    // Split K only when the tiles leave SMs idle (one block per SM): the split count with the
    // fullest last wave, each part at least 4 slabs. Not for SiluMul in place (e is Y): zeroing Y
    // would lose e, and the parts cannot all read e before any writes it.
    const std::int64_t blocks = tilesM * std::int64_t(gridAxis(tilesN)), slabs = (args.k + kStepK - 1) / kStepK;
    const bool canSplit = !(kOut == Out::SiluMul && args.e == args.y);
    int splits = 1;
    if (blocks < sms && canSplit) {
        double best = 0.0;
        for (int z = 1; z <= 8 && (z == 1 || slabs / z >= 4); ++z) {
            const std::int64_t all = blocks * z, waves = (all + sms - 1) / sms;
            const double fill = double(all) / double(waves * sms);
            if (fill > best + 1e-9) {
                best = fill;
                splits = z;
            }
        }
    }
    // The parts add into Y atomically: from zero where the epilogue overwrites Y, onto Y as it is
    // where it adds (Store with accumulate, GateScatterAdd).
    if (splits > 1 && (kOut == Out::Store || kOut == Out::SiluMul))
        if (cudaError_t err = cudaMemsetAsync(args.y, 0, std::size_t(args.m * args.n) * sizeof(float), stream);
            err != cudaSuccess)
            return err;
    const dim3 grid(unsigned(tilesM), gridAxis(tilesN), unsigned(splits));
    ssmm24TensorKernel<kTm, kOut><<<grid, kTcThreads, kBytes, stream>>>(args);
    return cudaGetLastError();
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
    // Small problems waste most of a tensor-core tile (256 W rows x 64 or 128 tokens); fp32 FMAs
    // are as quick there and exact.
    return (m >= 16 && n >= 64 && k >= 64) ? Ssmm24Path::TensorCore : Ssmm24Path::CudaCore;
}

const char *ssmm24PathName(Ssmm24Path path) {
    return path == Ssmm24Path::TensorCore ? "tensor-core" : "cuda-core";
}

std::size_t ssmm24TensorCoreBlockBytes() { return sizeof(TcSmem<128>); }

namespace {
template <Out kOut> cudaError_t launchWith(const Ssmm24Args &args, Ssmm24Path path, cudaStream_t stream) {
    // cp.async needs X 16-byte, the values 8-byte and the metadata 4-byte aligned (k % 4 == 0
    // keeps every row so once the bases are), and the kernel's in-row int arithmetic k <= kTcMaxK;
    // otherwise the CUDA cores take the call.
    const bool aligned = reinterpret_cast<std::uintptr_t>(args.x) % 16 == 0 &&
                         reinterpret_cast<std::uintptr_t>(args.values) % 8 == 0 &&
                         reinterpret_cast<std::uintptr_t>(args.meta) % 4 == 0 && args.k % 4 == 0;
    if (path == Ssmm24Path::TensorCore && aligned && args.k <= kTcMaxK) {
        int dev = 0, sms = 0, smemOptin = 0;
        // a failed query falls back, and its error is cleared so the launch below does not report it
        if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess ||
            sms <= 0) {
            cudaGetLastError();
            sms = 132;
        }
        if (cudaGetDevice(&dev) != cudaSuccess ||
            cudaDeviceGetAttribute(&smemOptin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev) != cudaSuccess) {
            cudaGetLastError();
            smemOptin = 0;
        }
        // 128-token tiles, or 64 where half of a 128 would be padding. The 128-token tile needs more
        // shared memory than sm_86/sm_89 give a block (99 KB): there the CUDA cores take every call,
        // the 64-token ones too (which would fit), so one device runs one path whatever m is.
        const bool wide = args.m > 64;
        if (ssmm24TensorCoreBlockBytes() <= std::size_t(smemOptin))
            return wide ? launchTensor<128, kOut>(args, sms, stream) : launchTensor<64, kOut>(args, sms, stream);
    }
    const std::int64_t tilesN = (args.n + kTileN - 1) / kTileN, tilesM = (args.m + kTileM - 1) / kTileM;
    if (tilesN > 0x7fffffff)
        return cudaErrorInvalidConfiguration;
    const dim3 grid(unsigned(tilesN), gridAxis(tilesM));
    ssmm24CoreKernel<kOut><<<grid, 256, 0, stream>>>(args);
    return cudaGetLastError();
}
} // namespace

cudaError_t launchSsmm24(const Ssmm24Args &args, Ssmm24Path path, cudaStream_t stream) {
    if (args.m <= 0 || args.n <= 0)
        return cudaSuccess;
    switch (outOf(args)) {
    case Out::Store:
        return launchWith<Out::Store>(args, path, stream);
    case Out::Add:
        return launchWith<Out::Add>(args, path, stream);
    case Out::SiluMul:
        return launchWith<Out::SiluMul>(args, path, stream);
    case Out::GateScatterAdd:
        return launchWith<Out::GateScatterAdd>(args, path, stream);
    }
    return cudaErrorInvalidValue;
}

} // namespace seaside::backends::cuda
