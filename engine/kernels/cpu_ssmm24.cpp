#include "kernels/cpu_ssmm24.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <immintrin.h>
#include <vector>

namespace seaside::kernels::cpu {

namespace {

constexpr int kTileM = 24;   // tokens per tile: three AVX2 vectors
constexpr int kTileN = 4;    // weight rows sharing a tile of X
constexpr int kBlockK = 256; // a 24 x 256 tile of X (24 KB) stays in L1 while rows stream past

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
// word of 8 groups holds them as 4-bit fields (p0 in the low 2 bits). Each kept value meets
// the packed X row of its position: 2 multiply-adds per group instead of 4.
__attribute__((target("avx2,fma"))) void tileAvx2(const Sparse24View &w, std::int64_t n0, std::int64_t nt,
                                                     std::int64_t k0, std::int64_t kb, const float *xt, float *acc) {
    const std::int64_t half = w.k / 2, words = w.metaWords();
    for (std::int64_t r = 0; r < nt; ++r) {
        const float *vals = w.values + (n0 + r) * half + k0 / 2;
        const std::uint32_t *meta = w.meta + (n0 + r) * words;
        __m256 a0 = _mm256_loadu_ps(acc + r * kTileM), a1 = _mm256_loadu_ps(acc + r * kTileM + 8),
               a2 = _mm256_loadu_ps(acc + r * kTileM + 16);
        for (std::int64_t g = 0; g < kb / 4; ++g) {
            const std::int64_t gg = k0 / 4 + g;
            const std::uint32_t bits = meta[gg / 8] >> ((gg % 8) * 4);
            const float *x0 = xt + (g * 4 + (bits & 3u)) * kTileM;
            const float *x1 = xt + (g * 4 + ((bits >> 2) & 3u)) * kTileM;
            const __m256 v0 = _mm256_broadcast_ss(vals + 2 * g), v1 = _mm256_broadcast_ss(vals + 2 * g + 1);
            a0 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(x0), a0);
            a1 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(x0 + 8), a1);
            a2 = _mm256_fmadd_ps(v0, _mm256_loadu_ps(x0 + 16), a2);
            a0 = _mm256_fmadd_ps(v1, _mm256_loadu_ps(x1), a0);
            a1 = _mm256_fmadd_ps(v1, _mm256_loadu_ps(x1 + 8), a1);
            a2 = _mm256_fmadd_ps(v1, _mm256_loadu_ps(x1 + 16), a2);
        }
        _mm256_storeu_ps(acc + r * kTileM, a0);
        _mm256_storeu_ps(acc + r * kTileM + 8, a1);
        _mm256_storeu_ps(acc + r * kTileM + 16, a2);
    }
}

void tilePortable(const Sparse24View &w, std::int64_t n0, std::int64_t nt, std::int64_t k0, std::int64_t kb,
                  const float *xt, float *acc) {
    const std::int64_t half = w.k / 2, words = w.metaWords();
    for (std::int64_t r = 0; r < nt; ++r) {
        const float *vals = w.values + (n0 + r) * half + k0 / 2;
        const std::uint32_t *meta = w.meta + (n0 + r) * words;
        float *a = acc + r * kTileM;
        for (std::int64_t g = 0; g < kb / 4; ++g) {
            const std::int64_t gg = k0 / 4 + g;
            const std::uint32_t bits = meta[gg / 8] >> ((gg % 8) * 4);
            const float *x0 = xt + (g * 4 + (bits & 3u)) * kTileM, *x1 = xt + (g * 4 + ((bits >> 2) & 3u)) * kTileM;
            for (int t = 0; t < kTileM; ++t)
                a[t] += vals[2 * g] * x0[t] + vals[2 * g + 1] * x1[t];
        }
    }
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

} // namespace

void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, float *y, std::int64_t m,
            std::int64_t yStride, bool accumulate) {
    const std::int64_t n = w.rows, k = w.k;
    const std::int64_t mTiles = (m + kTileM - 1) / kTileM;
    const std::int64_t nBlocks = (n + 63) / 64; // 64 weight rows per task: enough tasks for every core
#pragma omp parallel
    {
        std::vector<float> xt(std::size_t(kBlockK * kTileM));
        std::vector<float> acc(std::size_t(64 * kTileM));
#pragma omp for collapse(2) schedule(dynamic)
        for (std::int64_t mt = 0; mt < mTiles; ++mt)
            for (std::int64_t nb = 0; nb < nBlocks; ++nb) {
                const std::int64_t m0 = mt * kTileM, mCount = std::min<std::int64_t>(kTileM, m - m0);
                const std::int64_t n0 = nb * 64, nCount = std::min<std::int64_t>(64, n - n0);
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (std::int64_t k0 = 0; k0 < k; k0 += kBlockK) {
                    const std::int64_t kb = std::min<std::int64_t>(kBlockK, k - k0);
                    packTile(x, xCols, rows, m0, mCount, k0, kb, xt.data());
                    for (std::int64_t r = 0; r < nCount; r += kTileN) {
                        const std::int64_t nt = std::min<std::int64_t>(kTileN, nCount - r);
                        if (kHaveAvx2)
                            tileAvx2(w, n0 + r, nt, k0, kb, xt.data(), acc.data() + r * kTileM);
                        else
                            tilePortable(w, n0 + r, nt, k0, kb, xt.data(), acc.data() + r * kTileM);
                    }
                }
                for (std::int64_t t = 0; t < mCount; ++t)
                    for (std::int64_t r = 0; r < nCount; ++r) {
                        float &out = y[(m0 + t) * yStride + n0 + r];
                        out = (accumulate ? out : 0.0f) + acc[std::size_t(r * kTileM + t)];
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
#pragma omp parallel
    {
        std::vector<float> xt(std::size_t(w.v * kTileM)), acc(std::size_t(rowsPerTask * kTileM));
        std::vector<float> ytile(std::size_t(origPerTask * kTileM));
#pragma omp for collapse(2) schedule(dynamic)
        for (std::int64_t mt = 0; mt < mTiles; ++mt)
            for (std::int64_t jb = 0; jb < jBlocks; ++jb) {
                const std::int64_t m0 = mt * kTileM, mCount = std::min<std::int64_t>(kTileM, m - m0);
                const std::int64_t j0 = jb * rowsPerTask, jCount = std::min<std::int64_t>(rowsPerTask, kept - j0);
                const std::int64_t orig0 = j0 / w.n * w.m, origCount = jCount / w.n * w.m;
                std::fill(ytile.begin(), ytile.end(), 0.0f);
                for (std::int64_t b = 0; b < blocks; ++b) {
                    packTile(x, xCols, rows, m0, mCount, b * w.v, w.v, xt.data());
                    std::fill(acc.begin(), acc.end(), 0.0f);
                    for (std::int64_t r = 0; r < jCount; r += kTileN) {
                        const std::int64_t nt = std::min<std::int64_t>(kTileN, jCount - r);
                        if (kHaveAvx2)
                            tileAvx2(w.compact, j0 + r, nt, b * w.v, w.v, xt.data(), acc.data() + r * kTileM);
                        else
                            tilePortable(w.compact, j0 + r, nt, b * w.v, w.v, xt.data(), acc.data() + r * kTileM);
                    }
                    // each compact row lands on the original row it stands for in this block
                    for (std::int64_t r = 0; r < jCount; ++r) {
                        float *dst = ytile.data() + (w.originalRow(b, j0 + r) - orig0) * kTileM;
                        const float *src = acc.data() + r * kTileM;
                        for (int t = 0; t < kTileM; ++t)
                            dst[t] += src[t];
                    }
                }
                for (std::int64_t t = 0; t < mCount; ++t) {
                    const std::int64_t i = m0 + t;
                    for (std::int64_t o = 0; o < origCount; ++o) {
                        const float v = ytile[std::size_t(o * kTileM + t)];
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

} // namespace seaside::kernels::cpu
