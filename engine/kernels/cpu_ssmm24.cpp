#include "kernels/cpu_ssmm24.h"

#include "kernels/cpu_epilogue.h"
#include "kernels/cpu_isa.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <immintrin.h>
#include <new>
#include <omp.h>
#include <optional>
#include <vector>

namespace seaside::kernels::cpu {

namespace {

// Token tiles of up to 64 (eight AVX2 vectors: each broadcast weight feeds eight FMAs, with
// eight independent accumulators); the last tile of a call is only as wide as it needs, in
// steps of 8, so m = 64 or 256 wastes nothing and m = 65 adds one vector, not a whole tile.
constexpr int kMaxVecs = 8;
constexpr int kTileM = 8 * kMaxVecs;
// A k-block: 64 x 64 packed tokens (16 KB) stay in L1 while a block of weight rows passes by.
// In a micro-benchmark on Zen 3, 24 KB panels (48 tokens x 128) ran the kernel up to 1.5x slower.
constexpr int kBlockK = 64;

// k-blocks over k columns, the last one possibly narrower
std::int64_t kBlocksOf(std::int64_t k) { return (k + kBlockK - 1) / kBlockK; }

int vecsFor(std::int64_t tokens) { return int(std::min<std::int64_t>(kMaxVecs, (tokens + 7) / 8)); }

const bool kUseAvx2 = isa() == Isa::X86_64_V3;

// An 8 x 8 block transposed in registers: dst row j (dst + j * dstStride) gets element j of the 8
// source rows. The packing of X and the write-back of Y both move data between a token-major and
// a weight-row-major order; one element at a time, that cost ~10 % of the product.
__attribute__((target("avx2"))) void transpose8(const float *const src[8], float *dst, std::int64_t dstStride,
                                                 bool add) {
    __m256 r[8], t[8], u[8];
    for (int i = 0; i < 8; ++i)
        r[i] = _mm256_loadu_ps(src[i]);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int j = 0; j < 4; ++j) {
        __m256 lo = _mm256_permute2f128_ps(u[j], u[j + 4], 0x20), hi = _mm256_permute2f128_ps(u[j], u[j + 4], 0x31);
        float *d0 = dst + j * dstStride, *d1 = dst + (j + 4) * dstStride;
        if (add) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(d0));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(d1));
        }
        _mm256_storeu_ps(d0, lo);
        _mm256_storeu_ps(d1, hi);
    }
}

// Packs X[rows, k0:k1] transposed into a tile zero-padded to `width` tokens: xt[kk * width + t]
// (xt is the whole tile). Whole groups of 8 tokens and 8 columns go through transpose8.
void packSlab(const float *x, std::int64_t xCols, const std::uint32_t *rows, std::int64_t m0, std::int64_t mt,
              std::int64_t k0, std::int64_t k1, int width, float *xt) {
    const auto row = [&](std::int64_t t) { return x + (rows ? std::int64_t(rows[m0 + t]) : m0 + t) * xCols; };
    std::int64_t t0 = 0;
    if (kUseAvx2)
        for (; t0 + 8 <= mt; t0 += 8) {
            const float *src[8];
            std::int64_t kk = k0;
            for (; kk + 8 <= k1; kk += 8) {
                for (int i = 0; i < 8; ++i)
                    src[i] = row(t0 + i) + kk;
                transpose8(src, xt + kk * width + t0, width, false);
            }
            for (; kk < k1; ++kk)
                for (int i = 0; i < 8; ++i)
                    xt[kk * width + t0 + i] = row(t0 + i)[kk];
        }
    for (std::int64_t t = t0; t < width; ++t) {
        const float *src = t < mt ? row(t) : nullptr;
        for (std::int64_t kk = k0; kk < k1; ++kk)
            xt[kk * width + t] = src ? src[kk] : 0.0f;
    }
}

// The tricky part: group g of a row keeps positions p0 < p1 of its 4 weights; the metadata
// word of 8 groups holds them as 4-bit fields (p0 in the low 2 bits). The kernels read the
// fields as they go (a shift and two masks per group, on the integer pipes, which the FMAs
// leave idle): each kept value meets the packed X row 4g + p of its position, 2 multiply-adds
// per group instead of 4. Decoding them into a table first cost more than it saved (a store
// and a load per group, and a pass that at m = 64 serves a single tile).
// Group g of a row: its two kept values (v0, v1, broadcast) against packed rows 4g + p0 and
// 4g + p1 (xg = row 4g), each multiplied into V vectors of packed tokens (memory operands of the
// FMAs). The unroll pragmas matter: without them GCC 12 keeps `a` on the stack and stores all of
// it back every group (seen in the disassembly), which halved the speed.
template <int V>
__attribute__((target("avx2,fma"), always_inline)) inline void group(__m256 (&a)[V], const float *xg,
                                                                      std::uint32_t fields, __m256 v0, __m256 v1) {
    constexpr int T = 8 * V;
    const float *x0 = xg + (fields & 3u) * T, *x1 = xg + ((fields >> 2) & 3u) * T;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        a[v] = _mm256_fmadd_ps(v0, _mm256_load_ps(x0 + 8 * v), a[v]);
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        a[v] = _mm256_fmadd_ps(v1, _mm256_load_ps(x1 + 8 * v), a[v]);
}

// Group g of a row read one at a time (first + g: its place among the row's metadata fields): for
// the groups before the first whole metadata word and after the last.
template <int V>
__attribute__((target("avx2,fma"), always_inline)) inline void groupAt(__m256 (&a)[V], const float *xt,
                                                                        const std::uint32_t *rowMeta, std::uint64_t field,
                                                                        const float *w, std::uint64_t g) {
    group<V>(a, xt + 4 * g * 8 * V, rowMeta[field / 8] >> (field % 8 * 4), _mm256_broadcast_ss(w), _mm256_broadcast_ss(w + 1));
}

// One weight row against one tile of 8V tokens over a k-block: V accumulators in registers.
// Whole metadata words are read 8 groups at a time, their fields at shifts the compiler knows
// (k-blocks start on a word, so only a Samoyeds block whose V is not a multiple of 32 has a head).
// Every X operand is a load, so the kernel is bound by load ports: there the kept values come
// 4 per 128-bit load, duplicated into both halves and spread by an in-lane shuffle (a shuffle
// pipe the FMAs leave free), not one broadcast load each: +7 % in an L1-resident micro-benchmark.
// The other orientation (8 weight rows per vector, each token's 4 X values of a group spread to
// the rows' kept positions by vpermilps) needs no packing or write-back transposes and fewer
// loads, but one shuffle per FMA: on Zen 3 it ran 2.8 G FMA/s per thread against this kernel's 3.3-3.8.
// kGroups > 0: the caller vouches that groups == kGroups, a multiple of 8, and g0 starts a metadata
// word (a whole k-block, the common case): no head or tail loop, and a loop of known length
// (dropping them took 1.5 % off the whole product).
template <int V, int kGroups = 0>
__attribute__((target("avx2,fma"), always_inline)) inline void rowAvx2(const float *vals, const std::uint32_t *rowMeta, std::int64_t g0,
                                                  std::int64_t groups, const float *xt, float *acc) {
    static_assert(kGroups % 8 == 0);
    constexpr int T = 8 * V;
    __m256 a[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        a[v] = _mm256_load_ps(acc + 8 * v);
    const std::uint64_t first = std::uint64_t(g0), n = kGroups > 0 ? kGroups : std::uint64_t(groups);
    std::uint64_t g = 0;
    if constexpr (kGroups == 0)
        for (; g < n && (first + g) % 8; ++g)
            groupAt<V>(a, xt, rowMeta, first + g, vals + 2 * g, g);
    const std::uint32_t *words = rowMeta + (first + g) / 8; // the head leaves first + g on a word
#pragma GCC unroll 2
    for (; g + 8 <= n; g += 8) {
        const std::uint32_t word = *words++;
#pragma GCC unroll 4
        for (int j = 0; j < 8; j += 2) {
            const __m256 q = _mm256_broadcast_ps(reinterpret_cast<const __m128 *>(vals + 2 * (g + j)));
            group<V>(a, xt + (4 * g + 4 * j) * T, word >> (4 * j), _mm256_permute_ps(q, 0x00), _mm256_permute_ps(q, 0x55));
            group<V>(a, xt + (4 * g + 4 * j + 4) * T, word >> (4 * j + 4), _mm256_permute_ps(q, 0xAA),
                     _mm256_permute_ps(q, 0xFF));
        }
    }
    if constexpr (kGroups == 0)
        for (; g < n; ++g)
            groupAt<V>(a, xt, rowMeta, first + g, vals + 2 * g, g);
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v)
        _mm256_store_ps(acc + 8 * v, a[v]);
}

template <int V>
inline void rowPortable(const float *vals, const std::uint32_t *rowMeta, std::int64_t g0, std::int64_t groups, const float *xt,
                        float *acc) {
    constexpr int T = 8 * V;
    for (std::int64_t g = 0; g < groups; ++g) {
        const std::uint32_t f = rowMeta[(g0 + g) / 8] >> (((g0 + g) % 8) * 4);
        const float *x0 = xt + (4 * g + (f & 3u)) * T, *x1 = xt + (4 * g + ((f >> 2) & 3u)) * T;
        for (int t = 0; t < T; ++t)
            acc[t] += vals[2 * g] * x0[t] + vals[2 * g + 1] * x1[t];
    }
}

// 64-byte aligned, so that no 32-byte load of a packed row straddles two cache lines.
template <typename T> struct Aligned64 {
    using value_type = T;
    Aligned64() = default;
    template <typename U> Aligned64(const Aligned64<U> &) {}
    T *allocate(std::size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T *p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    bool operator==(const Aligned64 &) const { return true; }
};
using Floats64 = std::vector<float, Aligned64<float>>;

// Per-thread scratch that outlives a call: fresh multi-megabyte buffers cost a page fault per
// 4 KB on every call (a few percent of a 256 x 1792 x 4096 product). Contents are unspecified.
// A buffer above 64 MB is given back when a call needs less than a quarter of it.
enum class Scratch { Packed, Acc, YTile, TokenRows };
float *scratch(Scratch slot, std::size_t floats) {
    static thread_local Floats64 buffers[4];
    Floats64 &b = buffers[int(slot)];
    if (b.size() < floats || (b.size() > (std::size_t(16) << 20) && floats < b.size() / 4))
        Floats64(floats).swap(b);
    return b.data();
}

// Every tile of X gathered and transposed once, before any weight row meets it: packing inside
// the loop over weight rows would redo it for every block of rows. Tile t starts at t*k*64.
struct PackedTokens {
    float *data = nullptr;
    std::int64_t m = 0, k = 0, tiles = 0;
    // per tile and k-block, where the call asked (else empty): whether all its tokens' values
    // there are finite. Only then may a weight row that is zero over the k-block be skipped: 0 x
    // inf is NaN, and the product gives what multiplying every kept value gives (up to the sign
    // of a zero sum).
    std::vector<std::uint8_t> finite;
    bool allFinite(std::int64_t t, std::int64_t k0) const {
        return finite[std::size_t(t * blocks() + k0 / kBlockK)] != 0;
    }
    std::int64_t blocks() const { return kBlocksOf(k); }
    std::int64_t tokens(std::int64_t t) const { return std::min<std::int64_t>(kTileM, m - t * kTileM); }
    int vecs(std::int64_t t) const { return vecsFor(tokens(t)); }
    const float *panel(std::int64_t t, std::int64_t k0) const { return data + t * k * kTileM + k0 * 8 * vecs(t); }
};

// Whether none of n floats is an infinity or a NaN (the exponent bits all set): integer tests
// that the compiler vectorises, over a slab just written and still in L1.
bool noneNonFinite(const float *v, std::int64_t n) {
    std::uint32_t bad = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, v + i, sizeof bits);
        bad |= std::uint32_t((bits & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

PackedTokens packAll(const float *x, std::int64_t xCols, const std::uint32_t *rows, std::int64_t m, std::int64_t k,
                     bool checkFinite) {
    PackedTokens p;
    p.m = m;
    p.k = k;
    p.tiles = (m + kTileM - 1) / kTileM;
    p.data = scratch(Scratch::Packed, std::size_t(p.tiles * k * kTileM));
    // Slabs of up to 16 k-blocks: a slab's packed rows (up to 256 KB) stay in L2 while its tokens
    // arrive, each token row read 4 KB at a time. (A k-block, 256 B, at a time left the packing
    // 15-35 % slower when X came from memory: too short a run for the prefetchers, over 64 rows.)
    // Narrower slabs where there are few tiles, so that every core has some to pack.
    const std::int64_t blocks = p.blocks(), threads = omp_get_max_threads();
    const std::int64_t wantSlabs = (2 * threads + p.tiles - 1) / std::max<std::int64_t>(1, p.tiles);
    const std::int64_t slabBlocks = std::clamp<std::int64_t>((blocks + wantSlabs - 1) / wantSlabs, 1, 16);
    const std::int64_t slabs = (blocks + slabBlocks - 1) / slabBlocks;
    if (checkFinite)
        p.finite.resize(std::size_t(p.tiles * blocks));
#pragma omp parallel for schedule(static) collapse(2)
    for (std::int64_t t = 0; t < p.tiles; ++t)
        for (std::int64_t sl = 0; sl < slabs; ++sl) {
            const std::int64_t b0 = sl * slabBlocks, b1 = std::min(blocks, b0 + slabBlocks);
            const int width = 8 * p.vecs(t);
            float *tile = p.data + t * k * kTileM;
            packSlab(x, xCols, rows, t * kTileM, p.tokens(t), b0 * kBlockK, std::min(k, b1 * kBlockK), width, tile);
            if (checkFinite)
                for (std::int64_t b = b0; b < b1; ++b) {
                    const std::int64_t k0 = b * kBlockK, k1 = std::min(k, k0 + kBlockK);
                    p.finite[std::size_t(t * blocks + b)] = noneNonFinite(tile + k0 * width, (k1 - k0) * width);
                }
        }
    return p;
}

// Where a block of weight rows' slice over one k-block lies: row r's kept values at
// values + r * valuesStride, its metadata words at meta + r * metaStride, the first group at field
// g0 of the first word.
struct RowSlice {
    const float *values;
    std::int64_t valuesStride;
    const std::uint32_t *meta;
    std::int64_t metaStride, g0;
};

// In a plain Sparse24View: rows k/2 floats apart.
RowSlice sliceOf(const Sparse24View &w, std::int64_t n0, std::int64_t k0) {
    return {w.values + n0 * (w.k / 2) + k0 / 2, w.k / 2, w.meta + n0 * w.metaWords(), w.metaWords(), k0 / 4};
}

// The rows of a block that have a nonzero weight over a k-block (Sparse24Cpu::live).
struct LiveRows {
    const std::uint8_t *rows;
    std::int64_t count;
};

// One tile of packed tokens against the rows of a block over one k-block: row r (of nt) at
// s.values + r * s.valuesStride, its accumulators at acc + accRow(r) * kTileM (rowMap[r], or r);
// the rows visited are live[0..visits) or, without live, 0..visits. While they pass, the lines
// [next, next + nextLines * 64) are fetched, linesPerRow a row.
struct Pass {
    RowSlice s;
    std::int64_t nt, groups;
    const float *xt;
    float *acc;
    const std::int64_t *rowMap;
    const std::uint8_t *live;
    std::int64_t visits;
    const char *next;
    std::int64_t nextLines, linesPerRow;
};

// The rows' loop around the micro-kernel, in the kernel's own function, its values in locals: with
// a call a row, or the pass's fields read inside the loop, every row paid a dozen more loads, on
// the load ports the kernel is bound by (the product took 1.5 % longer for the call, and 4 % more
// for the loads). kPlain: rows 0..visits in order, acc row r for row r (no live list, no map).
// Rows of a plain view lie k/2 floats apart (8 KB at k = 4096), a stride the hardware prefetcher
// does not follow: there the slice four rows ahead is fetched. Prepared rows lie back to back, a
// stream it does follow; the three prefetches a row cost ~1.5 % there.
template <int V, int kGroups, bool kPlain>
__attribute__((target("avx2,fma"), always_inline)) inline void passRowsAvx2(const Pass &p) {
    const float *const values = p.s.values, *const xt = p.xt;
    const std::uint32_t *const meta = p.s.meta;
    const std::int64_t valuesStride = p.s.valuesStride, metaStride = p.s.metaStride, g0 = p.s.g0, groups = p.groups;
    const std::int64_t nt = p.nt, visits = p.visits, linesPerRow = p.linesPerRow;
    const std::uint8_t *const live = p.live;
    const std::int64_t *const rowMap = p.rowMap;
    float *const acc = p.acc;
    const char *next = p.next, *const nextEnd = p.next + p.nextLines * 64;
    const bool stridedRows = valuesStride * std::int64_t(sizeof(float)) > 256;
    for (std::int64_t i = 0; i < visits; ++i) {
        const std::int64_t r = kPlain || !live ? i : live[i];
        for (std::int64_t l = 0; l < linesPerRow && next < nextEnd; ++l, next += 64)
            _mm_prefetch(next, _MM_HINT_T1);
        if (stridedRows && r + 4 < nt) {
            const char *v = reinterpret_cast<const char *>(values + (r + 4) * valuesStride);
            _mm_prefetch(v, _MM_HINT_T0);
            _mm_prefetch(v + 64, _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char *>(meta + (r + 4) * metaStride + g0 / 8), _MM_HINT_T0);
        }
        rowAvx2<V, kGroups>(values + r * valuesStride, meta + r * metaStride, g0, groups, xt,
                            acc + (kPlain || !rowMap ? r : rowMap[r]) * kTileM);
    }
}

template <int V> __attribute__((target("avx2,fma"))) void passAvx2(const Pass &p) {
    const bool plain = !p.live && !p.rowMap;
    if (p.groups == kBlockK / 4 && p.s.g0 % 8 == 0)
        plain ? passRowsAvx2<V, kBlockK / 4, true>(p) : passRowsAvx2<V, kBlockK / 4, false>(p);
    else
        plain ? passRowsAvx2<V, 0, true>(p) : passRowsAvx2<V, 0, false>(p);
}

// For CPUs without AVX2: the same loop, without the fetches.
template <int V> void passPortable(const Pass &p) {
    for (std::int64_t i = 0; i < p.visits; ++i) {
        const std::int64_t r = p.live ? p.live[i] : i;
        rowPortable<V>(p.s.values + r * p.s.valuesStride, p.s.meta + r * p.s.metaStride, p.s.g0, p.groups, p.xt,
                       p.acc + (p.rowMap ? p.rowMap[r] : r) * kTileM);
    }
}

using PassKernel = void (*)(const Pass &);

template <int V> PassKernel pick() { return kUseAvx2 ? passAvx2<V> : passPortable<V>; }

// The micro-kernel for a tile of 8V tokens (V = 1..8).
PassKernel passKernel(int vecs) {
    static_assert(kMaxVecs == 8);
    static const PassKernel table[kMaxVecs + 1] = {nullptr,  pick<1>(), pick<2>(), pick<3>(), pick<4>(),
                                                   pick<5>(), pick<6>(), pick<7>(), pick<8>()};
    return table[vecs];
}

// acc[tile - t0][accRow(r)][kTileM] += row r of the nt rows of `s`, against tiles [t0, t1), over
// kb columns from xk0: each tile's packed tokens (16 KB) stay in L1 while every row of the block
// passes by. accRow(r) is rowMap[r], or r without a map. With `live`, only its rows are visited
// (the others are zero here) wherever the tile's tokens are finite: x must then have been packed
// with checkFinite, and xk0 start a k-block.
void accumulateBlock(const RowSlice &s, std::int64_t nt, std::int64_t kb, const PackedTokens &x, std::int64_t xk0,
                     float *acc, std::int64_t accRows, std::int64_t t0, std::int64_t t1,
                     const std::int64_t *rowMap = nullptr, const LiveRows *live = nullptr) {
    for (std::int64_t t = t0; t < t1; ++t) {
        assert(!live || (!x.finite.empty() && xk0 % kBlockK == 0));
        const bool skipping = live && x.allFinite(t, xk0);
        const std::int64_t visits = skipping ? live->count : nt;
        const float *xt = x.panel(t, xk0);
        // the next panel (next tile, or the first tile at the next k-block), fetched while this
        // one is in use: its first rows would otherwise wait on L3 for lines in a data-dependent order
        const float *next = nullptr;
        std::int64_t nextBytes = 0;
        if (t + 1 < t1) {
            next = x.panel(t + 1, xk0);
            nextBytes = kb * 32 * x.vecs(t + 1);
        } else if (xk0 + kBlockK < x.k) {
            next = x.panel(t0, xk0 + kBlockK);
            nextBytes = std::min<std::int64_t>(kBlockK, x.k - xk0 - kBlockK) * 32 * x.vecs(t0);
        }
        const std::int64_t nextLines = nextBytes / 64;
        const std::int64_t linesPerRow = visits > 0 ? (nextLines + visits - 1) / visits : 0;
        const Pass pass{s, nt, kb / 4, xt, acc + (t - t0) * accRows * kTileM, rowMap, skipping ? live->rows : nullptr,
                        visits, reinterpret_cast<const char *>(next), nextLines, linesPerRow};
        passKernel(x.vecs(t))(pass);
    }
}

// A task is a block of 128 weight rows against up to 4 token tiles: it reads its tiles of packed
// X once, so the more rows, the less X traffic, and its accumulators (4 x 128 x 256 B = 128 KB)
// stay in L2. (Tasks of 64 rows against every tile read X twice as often; 128 rows against 8
// tiles, at m = 512, ran 20 % slower.) Prepared weights come in blocks of the same 128 rows.
constexpr std::int64_t kTaskRows = 128, kTaskTiles = 4;
constexpr std::int64_t kPreparedRows = kTaskRows;

// y[i, r] (+)= a[r * kTileM + i] for i < mCount tokens, r < nCount rows: the accumulators are
// weight-row-major, Y is token-major.
void writeBack(const float *a, std::int64_t mCount, std::int64_t nCount, float *y, std::int64_t yStride, bool accumulate) {
    // 8 x 8 blocks, a token's row of Y at a time: each Y line is written whole while in L1 (with
    // rows outermost, 64 token rows' lines were open at once and half-written twice)
    const std::int64_t rFull = kUseAvx2 ? nCount / 8 * 8 : 0, iFull = rFull > 0 ? mCount / 8 * 8 : 0;
    for (std::int64_t i0 = 0; i0 < iFull; i0 += 8)
        for (std::int64_t r0 = 0; r0 < rFull; r0 += 8) {
            const float *src[8];
            for (int j = 0; j < 8; ++j)
                src[j] = a + (r0 + j) * kTileM + i0;
            transpose8(src, y + i0 * yStride + r0, yStride, accumulate);
        }
    for (std::int64_t i = 0; i < mCount; ++i)
        for (std::int64_t r = i < iFull ? rFull : 0; r < nCount; ++r) {
            float &out = y[i * yStride + r];
            out = (accumulate ? out : 0.0f) + a[r * kTileM + i];
        }
}

// A finished tile (of ssmm24 or of the Samoyeds product) leaves through its epilogue: yt holds
// its results weight-row-major (original row o at yt + o * kTileM), so they are first turned
// token-major through 8 x 8 transposes, then each token's row goes through the epilogue whole. (Element by
// element, every read of yt was a new cache line and every result a call to expf: the epilogue
// was a quarter of the MoE layer's time.) Tokens m0.. of the call, original rows orig0..
void emitTile(const float *yt, std::int64_t m0, std::int64_t mCount, std::int64_t orig0, std::int64_t origCount,
              const SsmmOutput &out, float *tokenRows) {
    if (out.epilogue == SsmmOutput::Epilogue::Store) {
        writeBack(yt, mCount, origCount, out.y + m0 * out.yStride + orig0, out.yStride, out.accumulate);
        return;
    }
    writeBack(yt, mCount, origCount, tokenRows, origCount, false);
    for (std::int64_t i = 0; i < mCount; ++i) {
        const std::int64_t token = m0 + i;
        const float *v = tokenRows + i * origCount;
        if (out.epilogue == SsmmOutput::Epilogue::SiluMul)
            siluMulRow(out.other + token * out.otherStride + orig0, v, out.y + token * out.yStride + orig0, origCount);
        else
            addScaledRow(out.gates[token], v, out.y + std::int64_t(out.scatter[token]) * out.yStride + orig0, origCount);
    }
}

// Y = X[rows] . W^T through `out`'s epilogue: a task is a block of weight rows against up to
// kTaskTiles tiles of tokens, k-blocks outermost; `slice(n0, nt, k0, kb)` says where the block's
// weights for a k-block lie, `live(n0, k0)` which of its rows are not zero there (a LiveRows, or
// null: all; skipsRows says whether it ever names any, so that X's finiteness is checked as it is
// packed). Tasks write disjoint parts of Y: their own columns of their own tokens' rows (a
// gate scatter-add's rows are distinct within a call, as the devices check).
template <typename SliceFn, typename LiveFn>
void ssmm24Tasks(const float *x, std::int64_t xCols, std::int64_t n, std::int64_t k, const std::uint32_t *rows,
                 std::int64_t m, const SsmmOutput &out, bool skipsRows, SliceFn slice, LiveFn live) {
    const PackedTokens packed = packAll(x, xCols, rows, m, k, skipsRows);
    const std::int64_t rowBlocks = (n + kTaskRows - 1) / kTaskRows, tileGroups = (packed.tiles + kTaskTiles - 1) / kTaskTiles;
#pragma omp parallel
    {
        float *acc = scratch(Scratch::Acc, std::size_t(kTaskTiles * kTaskRows * kTileM));
        float *tokenRows = out.epilogue == SsmmOutput::Epilogue::Store ? nullptr
                                                                        : scratch(Scratch::TokenRows, std::size_t(kTileM * kTaskRows));
#pragma omp for schedule(dynamic)
        for (std::int64_t task = 0; task < rowBlocks * tileGroups; ++task) {
            const std::int64_t n0 = task / tileGroups * kTaskRows, nCount = std::min<std::int64_t>(kTaskRows, n - n0);
            const std::int64_t t0 = task % tileGroups * kTaskTiles, t1 = std::min<std::int64_t>(packed.tiles, t0 + kTaskTiles);
            std::fill_n(acc, (t1 - t0) * kTaskRows * kTileM, 0.0f);
            for (std::int64_t k0 = 0; k0 < k; k0 += kBlockK) {
                const std::int64_t kb = std::min<std::int64_t>(kBlockK, k - k0);
                const auto liveRows = live(n0, k0);
                accumulateBlock(slice(n0, nCount, k0, kb), nCount, kb, packed, k0, acc, kTaskRows, t0, t1, nullptr,
                                liveRows ? &*liveRows : nullptr);
            }
            for (std::int64_t t = t0; t < t1; ++t)
                emitTile(acc + (t - t0) * kTaskRows * kTileM, t * kTileM, packed.tokens(t), n0, nCount, out, tokenRows);
        }
    }
}

// The plain product's output: Y, stored or added to.
SsmmOutput storeInto(float *y, std::int64_t yStride, bool accumulate) {
    SsmmOutput out;
    out.y = y;
    out.yStride = yStride;
    out.accumulate = accumulate;
    return out;
}
} // namespace

void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, std::int64_t m,
            const SsmmOutput &out) {
    ssmm24Tasks(
        x, xCols, w.rows, w.k, rows, m, out, false,
        [&](std::int64_t n0, std::int64_t, std::int64_t k0, std::int64_t) { return sliceOf(w, n0, k0); },
        [](std::int64_t, std::int64_t) { return std::optional<LiveRows>(); });
}

void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, float *y, std::int64_t m,
            std::int64_t yStride, bool accumulate) {
    ssmm24(x, xCols, w, rows, m, storeInto(y, yStride, accumulate));
}

namespace {
// Where row n0 of prepared weights lies for the k-block at k0 (kb wide), as offsets into values
// and meta: a block of kPreparedRows rows' slice over a k-block starts after the blocks before it
// (b0 * k/2 values, then bRows * k0/2 for its earlier k-blocks), and n0 is row r0 of its block.
// The one place that knows the layout: prepareForCpu writes through it, sliceOf reads.
struct PreparedPlace {
    std::int64_t values, meta, valuesStride, metaStride;
};
PreparedPlace preparedPlace(std::int64_t rows, std::int64_t k, std::int64_t n0, std::int64_t k0, std::int64_t kb) {
    const std::int64_t half = k / 2, words = (k / 4 + 7) / 8, mw = (kb / 4 + 7) / 8;
    const std::int64_t b0 = n0 / kPreparedRows * kPreparedRows, r0 = n0 - b0;
    const std::int64_t bRows = std::min<std::int64_t>(kPreparedRows, rows - b0);
    return {b0 * half + bRows * (k0 / 2) + r0 * (kb / 2), b0 * words + bRows * (k0 / 32) + r0 * mw, kb / 2, mw};
}

// In prepared weights: rows n0.. of a task lie within one block of kPreparedRows (tasks of a size
// that divides it, starting at multiples of their size), k0 is a multiple of kBlockK.
RowSlice sliceOf(const Sparse24Cpu &w, std::int64_t n0, std::int64_t k0, std::int64_t kb) {
    const PreparedPlace at = preparedPlace(w.rows, w.k, n0, k0, kb);
    return {w.values.data() + at.values, at.valuesStride, w.meta.data() + at.meta, at.metaStride, 0};
}
// The live rows of the block of prepared rows that starts at n0, over the k-block at k0 (weights
// put together other than by prepareForCpu have no lists: every row then).
std::optional<LiveRows> liveOf(const Sparse24Cpu &w, std::int64_t n0, std::int64_t k0) {
    if (w.liveStart.empty())
        return std::nullopt;
    const std::size_t at = std::size_t(n0 / kPreparedRows * kBlocksOf(w.k) + k0 / kBlockK);
    const std::int64_t count = w.liveStart[at + 1] - w.liveStart[at];
    if (count == std::min<std::int64_t>(kPreparedRows, w.rows - n0))
        return std::nullopt; // every row: the plain loop
    return LiveRows{w.live.data() + w.liveStart[at], count};
}
} // namespace

Sparse24Cpu prepareForCpu(const Sparse24View &w) {
    Sparse24Cpu p;
    p.rows = w.rows;
    p.k = w.k;
    p.values.resize(std::size_t(w.rows * (w.k / 2)));
    p.meta.resize(std::size_t(w.rows * w.metaWords()));
    static_assert(kPreparedRows <= 256, "live rows are bytes");
    const std::int64_t kBlocks = kBlocksOf(w.k), rowBlocks = (w.rows + kPreparedRows - 1) / kPreparedRows;
    p.live.reserve(std::size_t(w.rows * kBlocks)); // preparedBytes counts no more than this
    p.liveStart.reserve(std::size_t(rowBlocks * kBlocks + 1));
    p.liveStart.push_back(0);
    for (std::int64_t n0 = 0; n0 < w.rows; n0 += kPreparedRows)
        for (std::int64_t k0 = 0; k0 < w.k; k0 += kBlockK) {
            const std::int64_t kb = std::min<std::int64_t>(kBlockK, w.k - k0);
            const PreparedPlace at = preparedPlace(w.rows, w.k, n0, k0, kb);
            const RowSlice from = sliceOf(w, n0, k0);
            for (std::int64_t r = 0; r < std::min<std::int64_t>(kPreparedRows, w.rows - n0); ++r) {
                std::memcpy(p.values.data() + at.values + r * at.valuesStride, from.values + r * from.valuesStride,
                            sizeof(float) * std::size_t(at.valuesStride));
                std::memcpy(p.meta.data() + at.meta + r * at.metaStride, from.meta + r * from.metaStride + k0 / 32,
                            sizeof(std::uint32_t) * std::size_t(at.metaStride));
                const float *v = from.values + r * from.valuesStride;
                if (std::any_of(v, v + at.valuesStride, [](float f) { return f != 0.0f; }))
                    p.live.push_back(std::uint8_t(r));
            }
            p.liveStart.push_back(std::int64_t(p.live.size()));
        }
    return p;
}

std::size_t preparedBytes(const Sparse24View &w) {
    const std::size_t rows = std::size_t(w.rows), kBlocks = std::size_t(kBlocksOf(w.k));
    const std::size_t rowBlocks = (rows + kPreparedRows - 1) / kPreparedRows;
    return rows * std::size_t(w.k / 2) * sizeof(float) + rows * std::size_t(w.metaWords()) * sizeof(std::uint32_t) +
           rows * kBlocks + (rowBlocks * kBlocks + 1) * sizeof(std::int64_t);
}

void ssmm24(const float *x, std::int64_t xCols, const Sparse24Cpu &w, const std::uint32_t *rows, std::int64_t m,
            const SsmmOutput &out) {
    // dense 2:4 weights (every row live everywhere) skip nothing, nor check the tokens
    const bool skipsRows = !w.liveStart.empty() && std::int64_t(w.live.size()) < w.rows * kBlocksOf(w.k);
    ssmm24Tasks(
        x, xCols, w.rows, w.k, rows, m, out, skipsRows,
        [&](std::int64_t n0, std::int64_t, std::int64_t k0, std::int64_t kb) { return sliceOf(w, n0, k0, kb); },
        [&](std::int64_t n0, std::int64_t k0) { return liveOf(w, n0, k0); });
}

void ssmm24(const float *x, std::int64_t xCols, const Sparse24Cpu &w, const std::uint32_t *rows, float *y, std::int64_t m,
            std::int64_t yStride, bool accumulate) {
    ssmm24(x, xCols, w, rows, m, storeInto(y, yStride, accumulate));
}


void ssmmSamoyeds(const float *x, std::int64_t xCols, const SamoyedsView &w, const std::uint32_t *rows, std::int64_t m,
                  const SsmmOutput &out, const Sparse24Cpu *prepared) {
    const std::int64_t kept = w.keptRows(), k = w.k, blocks = k / w.v;
    // whole groups per task (tasks write disjoint rows): about 64 rows, one group where N > 64
    const std::int64_t rowsPerTask = std::max(1, 64 / w.n) * w.n;
    const std::int64_t origPerTask = rowsPerTask / w.n * w.m;
    const std::int64_t jBlocks = (kept + rowsPerTask - 1) / rowsPerTask;
    const PackedTokens packed = packAll(x, xCols, rows, m, k, false);
    const std::int64_t tiles = packed.tiles;
    // the prepared compact matrix serves when its blocks line up with this loop's slices
    if (prepared && (prepared->rows != kept || prepared->k != k || w.v % kBlockK || kPreparedRows % rowsPerTask))
        prepared = nullptr;
    // A task is a block of weight rows against up to kTaskTiles token tiles (as in ssmm24), so that
    // many tokens mean more tasks, not a bigger accumulator per task. A column block of V is walked
    // in k-blocks, so the packed tokens stay in L1 whatever V is. Tasks write disjoint parts of Y.
    const std::int64_t tileGroups = (tiles + kTaskTiles - 1) / kTaskTiles;
#pragma omp parallel
    {
        float *ytile = scratch(Scratch::YTile, std::size_t(kTaskTiles * origPerTask * kTileM));
        std::vector<std::int64_t> rowMap(static_cast<std::size_t>(rowsPerTask));
        float *tokenRows = scratch(Scratch::TokenRows, std::size_t(kTileM * origPerTask));
#pragma omp for schedule(dynamic)
        for (std::int64_t task = 0; task < jBlocks * tileGroups; ++task) {
            const std::int64_t j0 = task / tileGroups * rowsPerTask, jCount = std::min<std::int64_t>(rowsPerTask, kept - j0);
            const std::int64_t t0 = task % tileGroups * kTaskTiles, t1 = std::min<std::int64_t>(tiles, t0 + kTaskTiles);
            const std::int64_t orig0 = j0 / w.n * w.m, origCount = jCount / w.n * w.m;
            std::fill_n(ytile, (t1 - t0) * origPerTask * kTileM, 0.0f);
            for (std::int64_t b = 0; b < blocks; ++b) {
                // each compact row accumulates straight into the original row it stands for in this
                // block (distinct rows: a group's kept rows ascend)
                for (std::int64_t r = 0; r < jCount; ++r)
                    rowMap[r] = w.originalRow(b, j0 + r) - orig0;
                for (std::int64_t c0 = 0; c0 < w.v; c0 += kBlockK) {
                    const std::int64_t k0 = b * w.v + c0;
                    const std::int64_t kb = std::min<std::int64_t>(kBlockK, w.v - c0);
                    accumulateBlock(prepared ? sliceOf(*prepared, j0, k0, kb) : sliceOf(w.compact, j0, k0), jCount, kb,
                                    packed, k0, ytile, origPerTask, t0, t1, rowMap.data());
                }
            }
            for (std::int64_t t = t0; t < t1; ++t)
                emitTile(ytile + (t - t0) * origPerTask * kTileM, t * kTileM, packed.tokens(t), orig0, origCount, out,
                         tokenRows);
        }
    }
}

} // namespace seaside::kernels::cpu
