#include "kernels/cpu_ssmm24.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <immintrin.h>
#include <new>
#include <vector>

namespace seaside::kernels::cpu {

namespace {

constexpr int kTileM = 48;   // tokens per tile: six AVX2 vectors, so each broadcast weight feeds six FMAs
constexpr int kBlockK = 128; // a k-block: 48 x 128 packed tokens (24 KB) and 16 rows x 64 kept weights (4 KB)

// Packs X[rows, k0:k0+kb] transposed, zero-padded to kTileM tokens: xt[kk * kTileM + t].
void packTile(const float *x, std::int64_t xCols, const std::uint32_t *rows, std::int64_t m0, std::int64_t mt,
              std::int64_t k0, std::int64_t kb, float *xt) {
    std::memset(xt, 0, sizeof(float) * std::size_t(kb * kTileM));
    for (std::int64_t t = 0; t < mt; ++t) {
        const float *src = x + (rows ? std::int64_t(rows[m0 + t]) : m0 + t) * xCols + k0;
        for (std::int64_t kk = 0; kk < kb; ++kk)
            xt[kk * kTileM + t] = src[kk];
    }
}

// The tricky part: group g of a row keeps positions p0 < p1 of its 4 weights; the metadata
// word of 8 groups holds them as 4-bit fields (p0 in the low 2 bits). decodeOffsets turns a
// row block's fields into the offsets of the packed X rows they select, once per k-block (then
// reused by every token tile), so the inner loop does no bit arithmetic: each kept value meets
// the packed X row of its position, 2 multiply-adds per group instead of 4.
void decodeOffsets(const Sparse24View &w, std::int64_t n0, std::int64_t nt, std::int64_t k0, std::int64_t kb,
                   std::uint32_t *offs) {
    const std::int64_t words = w.metaWords(), groups = kb / 4;
    for (std::int64_t r = 0; r < nt; ++r)
        for (std::int64_t g = 0; g < groups; ++g) {
            const std::int64_t gg = k0 / 4 + g;
            const std::uint32_t bits = w.meta[(n0 + r) * words + gg / 8] >> ((gg % 8) * 4);
            offs[r * groups + g] = ((bits & 3u) * kTileM) | ((((bits >> 2) & 3u) * kTileM) << 16);
        }
}

// Two weight rows at a time: 12 independent accumulators (2 rows x 6 vectors of tokens) hide
// the FMA latency; every X load is a memory operand of its FMA.
__attribute__((target("avx2,fma"))) void tileAvx2(const Sparse24View &w, std::int64_t n0, std::int64_t nt,
                                                     std::int64_t k0, std::int64_t kb, const std::uint32_t *offs,
                                                     const float *xt, float *acc) {
    const std::int64_t half = w.k / 2, groups = kb / 4;
    std::int64_t r = 0;
    for (; r < nt; r += 2) {
        const bool pair = r + 1 < nt;
        const float *va = w.values + (n0 + r) * half + k0 / 2;
        const float *vb = pair ? va + half : va;
        const std::uint32_t *oa = offs + r * groups, *ob = pair ? oa + groups : oa;
        __m256 a[6], b[6];
        for (int v = 0; v < 6; ++v) {
            a[v] = _mm256_loadu_ps(acc + r * kTileM + 8 * v);
            b[v] = pair ? _mm256_loadu_ps(acc + (r + 1) * kTileM + 8 * v) : _mm256_setzero_ps();
        }
        for (std::int64_t g = 0; g < groups; ++g) {
            const float *base = xt + g * 4 * kTileM;
            {
                const float *x0 = base + (oa[g] & 0xffffu), *x1 = base + (oa[g] >> 16);
                const __m256 v0 = _mm256_broadcast_ss(va + 2 * g), v1 = _mm256_broadcast_ss(va + 2 * g + 1);
                for (int v = 0; v < 6; ++v)
                    a[v] = _mm256_fmadd_ps(v1, _mm256_loadu_ps(x1 + 8 * v), _mm256_fmadd_ps(v0, _mm256_loadu_ps(x0 + 8 * v), a[v]));
            }
            {
                const float *x0 = base + (ob[g] & 0xffffu), *x1 = base + (ob[g] >> 16);
                const __m256 v0 = _mm256_broadcast_ss(vb + 2 * g), v1 = _mm256_broadcast_ss(vb + 2 * g + 1);
                for (int v = 0; v < 6; ++v)
                    b[v] = _mm256_fmadd_ps(v1, _mm256_loadu_ps(x1 + 8 * v), _mm256_fmadd_ps(v0, _mm256_loadu_ps(x0 + 8 * v), b[v]));
            }
        }
        for (int v = 0; v < 6; ++v) {
            _mm256_storeu_ps(acc + r * kTileM + 8 * v, a[v]);
            if (pair)
                _mm256_storeu_ps(acc + (r + 1) * kTileM + 8 * v, b[v]);
        }
    }
}

void tilePortable(const Sparse24View &w, std::int64_t n0, std::int64_t nt, std::int64_t k0, std::int64_t kb,
                  const std::uint32_t *offs, const float *xt, float *acc) {
    const std::int64_t half = w.k / 2, groups = kb / 4;
    for (std::int64_t r = 0; r < nt; ++r) {
        const float *vals = w.values + (n0 + r) * half + k0 / 2;
        float *a = acc + r * kTileM;
        for (std::int64_t g = 0; g < groups; ++g) {
            const std::uint32_t o = offs[r * groups + g];
            const float *x0 = xt + g * 4 * kTileM + (o & 0xffffu), *x1 = xt + g * 4 * kTileM + (o >> 16);
            for (int t = 0; t < kTileM; ++t)
                a[t] += vals[2 * g] * x0[t] + vals[2 * g + 1] * x1[t];
        }
    }
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

} // namespace

// Every tile of X gathered and transposed once, [mTiles][k][kTileM], before any weight row
// meets it: packing inside the loop over weight rows would redo it for every block of rows.
// 64-byte aligned, so that no 32-byte load of a packed row straddles two cache lines.
template <typename T> struct Aligned64 {
    using value_type = T;
    Aligned64() = default;
    template <typename U> Aligned64(const Aligned64<U> &) {}
    T *allocate(std::size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T *p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    bool operator==(const Aligned64 &) const { return true; }
};
using PackedTokens = std::vector<float, Aligned64<float>>;

PackedTokens packAll(const float *x, std::int64_t xCols, const std::uint32_t *rows, std::int64_t m, std::int64_t k) {
    const std::int64_t mTiles = (m + kTileM - 1) / kTileM;
    PackedTokens packed(std::size_t(mTiles * k * kTileM));
#pragma omp parallel for schedule(static)
    for (std::int64_t mt = 0; mt < mTiles; ++mt)
        packTile(x, xCols, rows, mt * kTileM, std::min<std::int64_t>(kTileM, m - mt * kTileM), 0, k,
                 packed.data() + mt * k * kTileM);
    return packed;
}

void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, float *y, std::int64_t m,
            std::int64_t yStride, bool accumulate) {
    const std::int64_t n = w.rows, k = w.k;
    const std::int64_t mTiles = (m + kTileM - 1) / kTileM;
    const std::int64_t nBlocks = (n + 63) / 64; // 64 weight rows per task: enough tasks for every core
    const PackedTokens packed = packAll(x, xCols, rows, m, k);
    // A task is a block of 64 weight rows against every tile of tokens, k-block outermost: the
    // block's slice of W (64 x 128 kept values) stays in L1 while each token tile passes by.
#pragma omp parallel
    {
        PackedTokens acc;
        std::vector<std::uint32_t> offs(std::size_t(16 * kBlockK / 4));
#pragma omp for schedule(dynamic)
        for (std::int64_t nb = 0; nb < nBlocks; ++nb) {
            const std::int64_t n0 = nb * 64, nCount = std::min<std::int64_t>(64, n - n0);
            acc.assign(std::size_t(mTiles * 64 * kTileM), 0.0f);
            for (std::int64_t k0 = 0; k0 < k; k0 += kBlockK) {
                const std::int64_t kb = std::min<std::int64_t>(kBlockK, k - k0);
                for (std::int64_t r = 0; r < nCount; r += 16) {
                    const std::int64_t nt = std::min<std::int64_t>(16, nCount - r);
                    decodeOffsets(w, n0 + r, nt, k0, kb, offs.data());
                    for (std::int64_t mt = 0; mt < mTiles; ++mt) {
                        const float *xt = packed.data() + (mt * k + k0) * kTileM;
                        float *a = acc.data() + (mt * 64 + r) * kTileM;
                        if (kHaveAvx2)
                            tileAvx2(w, n0 + r, nt, k0, kb, offs.data(), xt, a);
                        else
                            tilePortable(w, n0 + r, nt, k0, kb, offs.data(), xt, a);
                    }
                }
            }
            for (std::int64_t mt = 0; mt < mTiles; ++mt) {
                const std::int64_t m0 = mt * kTileM, mCount = std::min<std::int64_t>(kTileM, m - m0);
                const float *a = acc.data() + mt * 64 * kTileM;
                for (std::int64_t t = 0; t < mCount; ++t)
                    for (std::int64_t r = 0; r < nCount; ++r) {
                        float &out = y[(m0 + t) * yStride + n0 + r];
                        out = (accumulate ? out : 0.0f) + a[std::size_t(r * kTileM + t)];
                    }
            }
        }
    }
}

void ssmmSamoyeds(const float *x, std::int64_t xCols, const Samoyeds &w, const std::uint32_t *rows, std::int64_t m,
                  const SsmmOutput &out) {
    const std::int64_t kept = w.keptRows(), k = w.k, blocks = k / w.v;
    const std::int64_t rowsPerTask = 64 / w.n * w.n; // whole groups per task: tasks write disjoint rows
    const std::int64_t origPerTask = rowsPerTask / w.n * w.m;
    const std::int64_t mTiles = (m + kTileM - 1) / kTileM, jBlocks = (kept + rowsPerTask - 1) / rowsPerTask;
    const PackedTokens packed = packAll(x, xCols, rows, m, k);
    // A task is a block of weight rows against every token tile: each block's metadata is
    // decoded once and serves all the tiles (as in ssmm24).
#pragma omp parallel
    {
        PackedTokens acc, ytile;
        std::vector<std::uint32_t> offs(std::size_t(16 * w.v / 4));
#pragma omp for schedule(dynamic)
        for (std::int64_t jb = 0; jb < jBlocks; ++jb) {
            const std::int64_t j0 = jb * rowsPerTask, jCount = std::min<std::int64_t>(rowsPerTask, kept - j0);
            const std::int64_t orig0 = j0 / w.n * w.m, origCount = jCount / w.n * w.m;
            ytile.assign(std::size_t(mTiles * origPerTask * kTileM), 0.0f);
            acc.resize(std::size_t(mTiles * rowsPerTask * kTileM));
            for (std::int64_t b = 0; b < blocks; ++b) {
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (std::int64_t r = 0; r < jCount; r += 16) {
                    const std::int64_t nt = std::min<std::int64_t>(16, jCount - r);
                    decodeOffsets(w.compact, j0 + r, nt, b * w.v, w.v, offs.data());
                    for (std::int64_t mt = 0; mt < mTiles; ++mt) {
                        const float *xt = packed.data() + (mt * k + b * w.v) * kTileM;
                        float *a = acc.data() + (mt * rowsPerTask + r) * kTileM;
                        if (kHaveAvx2)
                            tileAvx2(w.compact, j0 + r, nt, b * w.v, w.v, offs.data(), xt, a);
                        else
                            tilePortable(w.compact, j0 + r, nt, b * w.v, w.v, offs.data(), xt, a);
                    }
                }
                // each compact row lands on the original row it stands for in this block
                for (std::int64_t mt = 0; mt < mTiles; ++mt)
                    for (std::int64_t r = 0; r < jCount; ++r) {
                        float *dst = ytile.data() + (mt * origPerTask + w.originalRow(b, j0 + r) - orig0) * kTileM;
                        const float *src = acc.data() + (mt * rowsPerTask + r) * kTileM;
#pragma omp simd
                        for (int t = 0; t < kTileM; ++t)
                            dst[t] += src[t];
                    }
            }
            for (std::int64_t mt = 0; mt < mTiles; ++mt) {
                const std::int64_t m0 = mt * kTileM, mCount = std::min<std::int64_t>(kTileM, m - m0);
                const float *yt = ytile.data() + mt * origPerTask * kTileM;
                for (std::int64_t t = 0; t < mCount; ++t) {
                    const std::int64_t i = m0 + t;
                    for (std::int64_t o = 0; o < origCount; ++o) {
                        const float v = yt[o * kTileM + t];
                        const std::int64_t col = orig0 + o;
                        switch (out.epilogue) {
                        case SsmmOutput::Epilogue::Store:
                            out.y[i * out.yStride + col] = v;
                            break;
                        case SsmmOutput::Epilogue::SiluMul: {
                            const float g = out.other[i * out.otherStride + col];
                            out.y[i * out.yStride + col] = g / (1.0f + std::exp(-g)) * v;
                            break;
                        }
                        case SsmmOutput::Epilogue::GateScatterAdd:
                            out.y[std::int64_t(out.scatter[i]) * out.yStride + col] += out.gates[i] * v;
                            break;
                        }
                    }
                }
            }
        }
    }
}

} // namespace seaside::kernels::cpu
