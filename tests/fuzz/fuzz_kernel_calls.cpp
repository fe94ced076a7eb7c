// libFuzzer target: one kernel call on a device, its op, sizes, flags and buffers (sizes and
// contents: row ids, scatter rows, CSR arrays, 2:4 metadata, Samoyeds row indices) all from the input. The device must
// run it or refuse it with a reason (never a crash, an out-of-bounds access or undefined
// behaviour), run() must agree with supports(), and what it runs must match the reference
// arithmetic (differential: the fast kernels and the shaders against plain loops in double).
// SEASIDE_FUZZ_DEVICE picks the device by backend: cpu (the default), vulkan or cuda. The GPU
// backends do not check contents (ids, metadata) on the host: their results are compared only
// for calls whose contents are well-formed.
#include "backends/backend.h"
#include "kernels/half.h"
#include "kernels/router.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "../common/top_k_by_hand.h"

using namespace seaside::backends;

namespace {

// The input read front to back; past its end every read is 0.
struct Input {
    const std::uint8_t *p;
    std::size_t left;
    std::uint8_t byte() {
        if (!left)
            return 0;
        --left;
        return *p++;
    }
    std::uint32_t word() { return std::uint32_t(byte()) | std::uint32_t(byte()) << 8 | std::uint32_t(byte()) << 16 | std::uint32_t(byte()) << 24; }
    // Mostly the small sizes that reach the kernels, sometimes the edges that must be refused.
    std::int64_t dim() {
        const std::uint8_t mode = byte();
        if (mode < 200)
            return byte() % 70;
        if (mode < 215)
            return -std::int64_t(byte()) - 1;
        if (mode < 235)
            return (std::int64_t(1) << 31) - 2 + byte() % 4;
        if (mode < 250)
            return std::int64_t(word()) * 4096 + byte();
        return std::int64_t(1) << (56 + byte() % 7);
    }
};

// A buffer's contents, from five input bytes (a mode, a bound, an offset and a seed: a long
// buffer must not need a long input): any bits, integers below a bound (ids that may be in
// range), a non-decreasing sequence ending at `last` (CSR row pointers), distinct integers
// (scatter rows), 2:4 metadata words (each 4-bit field one of the six kept pairs), or floats in
// [-1, 1] (fp32, with runs of zeros, or fp16), or Samoyeds row indices (for each group, `last`
// ascending distinct rows below `usualBound`). Mostly the one the slot takes in a well-formed call (`usual`).
enum Fill : std::uint8_t { AnyBits, Below, RowPointers, Distinct, Metadata, Floats, Halves, RowIndices };
std::vector<std::uint8_t> contents(Input &in, std::size_t bytes, std::uint32_t last, Fill usual, std::uint32_t usualBound) {
    std::vector<std::uint8_t> v(bytes);
    // mostly what the slot holds in a well-formed call, so that deep paths are reached
    const std::uint8_t pick = in.byte();
    const Fill mode = pick < 170 ? usual : Fill(pick % 7);
    const std::uint32_t bound = pick < 170 && usual == Below ? usualBound + in.byte() % 2 : 1 + in.byte() % 80,
                        offset = in.byte() % 8;
    std::uint64_t state = 0x9E3779B97F4A7C15ull * (1 + (std::uint64_t(in.byte()) << 8 | in.byte()));
    const auto next = [&state] { // splitmix64
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return std::uint32_t((z ^ (z >> 31)) >> 32);
    };
    std::uint32_t running = 0, kept[8] = {};
    bool zeroSpan = false;
    for (std::size_t i = 0; i + 4 <= bytes; i += 4) {
        std::uint32_t w = 0;
        switch (mode) {
        case AnyBits:
            w = next();
            break;
        case Below:
            w = next() % bound;
            break;
        case RowPointers:
            running = std::min(last, running + next() % 4);
            w = i + 8 > bytes ? last : running;
            break;
        case Distinct:
            w = std::uint32_t(i / 4) + offset;
            break;
        case Metadata:
            for (int g = 0; g < 8; ++g) {
                static constexpr std::uint32_t kPairs[6] = {0x4, 0x8, 0xC, 0x9, 0xD, 0xE}; // p0 | p1 << 2, p0 < p1
                w |= kPairs[next() % 6] << (4 * g);
            }
            break;
        case Floats: {
            // spans of 32 zeros now and then (from the buffer's start): weight rows narrower
            // than a span, or k-blocks of rows where k is a multiple of 64, that are zero, which
            // the CPU device's 2:4 product skips
            if (i % 128 == 0)
                zeroSpan = next() % 4 == 0;
            const float f = zeroSpan ? 0.0f : float(int(next() % 257) - 128) / 128.0f;
            std::memcpy(&w, &f, 4);
            break;
        }
        case RowIndices: { // N = last of M = usualBound, a group's N ascending
            const std::uint32_t n = std::max(1u, std::min(last, 8u)), m = std::max(n, std::min(usualBound, 32u));
            const std::size_t q = i / 4 % n;
            if (q == 0) { // a random N-subset of 0..M-1, in order
                std::uint32_t chosen = 0, count = 0;
                while (count < n)
                    if (const std::uint32_t r = next() % m; !(chosen >> r & 1u)) {
                        chosen |= 1u << r;
                        ++count;
                    }
                for (std::uint32_t r = 0, at = 0; r < m; ++r)
                    if (chosen >> r & 1u)
                        kept[at++] = r;
            }
            w = kept[q];
            break;
        }
        case Halves: // two fp16 values in [-1, 1]
            w = std::uint32_t(seaside::kernels::floatToHalf(float(int(next() % 257) - 128) / 128.0f)) |
                std::uint32_t(seaside::kernels::floatToHalf(float(int(next() % 257) - 128) / 128.0f)) << 16;
            break;
        }
        std::memcpy(v.data() + i, &w, 4);
    }
    return v;
}

// What each slot holds in a well-formed call of c's op, and the bound of its ids.
Fill usualFill(const KernelCall &c, int slot, std::uint32_t &bound) {
    const auto clamp = [](std::int64_t v) { return std::uint32_t(std::max<std::int64_t>(1, std::min<std::int64_t>(v, 1 << 20))); };
    bound = 1;
    if (c.op == Op::Ssmm24) {
        if (slot == 2)
            return Metadata;
        if (slot == 7) {
            bound = clamp(c.selection.group);
            return RowIndices;
        }
        if (slot == 3) {
            bound = clamp(c.m + 3); // X has m + 3 rows in a well-formed call
            return Below;
        }
        if (slot == 5)
            return Distinct;
    }
    if (c.op == Op::GemmF16 && slot < 2)
        return Halves;
    if (c.op == Op::CsrSpmm) {
        if (slot == 0)
            return RowPointers;
        if (slot == 1) {
            bound = clamp(c.k);
            return Below;
        }
    }
    return Floats;
}

// The bytes each buffer slot (a, b, c, d, e, f, y, g) takes in a well-formed call of c's op and
// shape (`withG`: with Samoyeds' row indices); the input then keeps, perturbs or drops each one.
std::size_t wellFormed(const KernelCall &c, int slot, bool withG) {
    const auto m = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.m, 1 << 12)));
    const auto n = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.n, 1 << 12)));
    const auto k = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.k, 1 << 12)));
    const auto nnz = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.nnz, 1 << 12)));
    const auto yRows = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.yRows, 1 << 12)));
    const bool scatter = c.epilogue == Epilogue::GateScatterAdd;
    switch (c.op) {
    case Op::Gemm:
        return slot == 0 ? m * k * 4 : slot == 1 ? n * k * 4 : slot == 6 ? m * n * 4 : 0;
    case Op::GemmF16:
        return slot == 0 ? m * k * 2 : slot == 1 ? n * k * 2 : slot == 6 ? m * n * 4 : 0;
    case Op::Ssmm24: {
        // under a row selection W's buffers hold the compact matrix's rows, and g its indices
        const RowSelection &r = c.selection;
        const bool selected = withG && r.group > 0 && r.kept > 0 && r.block > 0;
        const std::size_t wRows = selected ? n / std::size_t(r.group) * std::size_t(r.kept) : n;
        const std::size_t sizes[8] = {(m + 3) * k * 4,     wRows * (k / 2) * 4, wRows * ((k / 4 + 7) / 8) * 4, m * 4,
                                      scatter ? m * 4 : m * n * 4, m * 4, (scatter ? yRows : m) * n * 4,
                                      selected ? k / std::size_t(r.block) * wRows * 4 : 0};
        return sizes[slot];
    }
    case Op::CsrSpmm: {
        const std::size_t sizes[8] = {(m + 1) * 4, nnz * 4, nnz * 4, k * n * 4, 0, 0, m * n * 4, 0};
        return sizes[slot];
    }
    case Op::TopKGates:
        return slot == 0 ? m * n * 4 : slot == 6 ? 8 * m * k : 0;
    }
    return 0;
}

// A buffer's bytes as values of T (what the call saw), or empty for a missing buffer.
template <typename T> std::vector<T> read(const Buffer *b) {
    if (!b)
        return {};
    std::vector<T> v(b->size() / sizeof(T));
    if (!v.empty())
        b->download(v.data(), v.size() * sizeof(T));
    return v;
}

// The result a call run() accepted should have, in double from the inputs as they were (the
// reference's arithmetic, not its code), with a bound per element: float rounding grows with the
// sum of the terms' magnitudes. Empty where the op has no oracle here (the router is its own).
struct Want {
    std::vector<double> y, bound;
};
// Not instrumented: its loops are most of a run's time, and its branches are not the code under test.
__attribute__((no_sanitize("address", "undefined", "coverage"))) Want oracle(const KernelCall &c,
                                                                            const std::vector<std::uint8_t> (&before)[8]) {
    Want w;
    const auto as = [&](int slot, auto zero) {
        using T = decltype(zero);
        std::vector<T> v(before[slot].size() / sizeof(T));
        if (!v.empty())
            std::memcpy(v.data(), before[slot].data(), v.size() * sizeof(T));
        return v;
    };
    const auto y0 = as(6, 0.0f);
    w.y.assign(y0.begin(), y0.end());
    w.bound.assign(y0.size(), 0.0);
    const std::int64_t m = c.m, n = c.n, k = c.k;
    if (m == 0 || n == 0) // no results (and m or n may be 2^31-1 while the other is 0)
        return w;
    // Summing t terms in float is off by at most about t * 2^-24 of their magnitudes (a sequential
    // sum, as a shader does: 4096 terms of one sign drift by 2.4e-5); twice that, and a floor for
    // the epilogues' own rounding. CSR rows have at most nnz terms.
    const std::int64_t terms = c.op == Op::Ssmm24 ? k / 2 : c.op == Op::CsrSpmm ? c.nnz : k;
    const double kRel = 1e-5 + 2.0 * double(terms) * 0x1p-24;
    switch (c.op) {
    case Op::Gemm:
    case Op::GemmF16: {
        std::vector<float> x = as(0, 0.0f), wt = as(1, 0.0f);
        if (c.op == Op::GemmF16) { // the operands are halves: widen them
            const auto widen = [](const std::vector<std::uint16_t> &h) {
                std::vector<float> f(h.size());
                std::transform(h.begin(), h.end(), f.begin(), seaside::kernels::halfToFloat);
                return f;
            };
            x = widen(as(0, std::uint16_t(0)));
            wt = widen(as(1, std::uint16_t(0)));
        }
        for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
                double acc = 0, mag = 0;
                for (std::int64_t q = 0; q < k; ++q) {
                    const double t = double(x[std::size_t(i * k + q)]) * wt[std::size_t(j * k + q)];
                    acc += t;
                    mag += std::abs(t);
                }
                double &out = w.y[std::size_t(i * n + j)];
                out = (c.accumulate ? out : 0.0) + acc;
                w.bound[std::size_t(i * n + j)] = kRel * (mag + std::abs(out)) + 1e-30;
            }
        return w;
    }
    case Op::Ssmm24: {
        const auto x = as(0, 0.0f), vals = as(1, 0.0f), e = as(4, 0.0f);
        const auto meta = as(2, 0u), rows = as(3, 0u), scatter = as(5, 0u), indices = as(7, 0u);
        const std::int64_t words = (k / 4 + 7) / 8;
        // the row of W each stored row stands for over group g: itself, or under a row selection
        // (j/N)*M + its index in g's block
        const RowSelection &sel = c.selection;
        const std::int64_t stored = c.g ? sel.keptRows(n) : n;
        const auto rowOf = [&](std::int64_t j, std::int64_t g) {
            return c.g ? j / sel.kept * sel.group + std::int64_t(indices[std::size_t(4 * g / sel.block * stored + j)]) : j;
        };
        std::vector<double> accs(static_cast<std::size_t>(n)), mags(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < m; ++i) {
            const std::int64_t r = c.d ? std::int64_t(rows[std::size_t(i)]) : i;
            std::fill(accs.begin(), accs.end(), 0.0);
            std::fill(mags.begin(), mags.end(), 0.0);
            for (std::int64_t j = 0; j < stored; ++j)
                for (std::int64_t g = 0; g < k / 4; ++g) {
                    const std::uint32_t f = meta[std::size_t(j * words + g / 8)] >> (g % 8 * 4);
                    for (int h = 0; h < 2; ++h) {
                        const double t = double(vals[std::size_t(j * (k / 2) + 2 * g + h)]) *
                                         x[std::size_t(r * k + 4 * g + ((f >> (2 * h)) & 3u))];
                        accs[std::size_t(rowOf(j, g))] += t;
                        mags[std::size_t(rowOf(j, g))] += std::abs(t);
                    }
                }
            for (std::int64_t j = 0; j < n; ++j) {
                const double acc = accs[std::size_t(j)], mag = mags[std::size_t(j)];
                if (c.epilogue == Epilogue::GateScatterAdd) {
                    const std::size_t o = std::size_t(std::int64_t(scatter[std::size_t(i)]) * n + j);
                    w.y[o] += double(e[std::size_t(i)]) * acc;
                    w.bound[o] += kRel * std::abs(double(e[std::size_t(i)])) * mag + kRel * std::abs(w.y[o]) + 1e-30;
                    continue;
                }
                const std::size_t o = std::size_t(i * n + j);
                if (c.epilogue == Epilogue::SiluMul) {
                    const double g = e[o], silu = g / (1.0 + std::exp(-g));
                    w.y[o] = silu * acc;
                    w.bound[o] = kRel * std::abs(silu) * (mag + std::abs(acc)) + 1e-30;
                } else {
                    w.y[o] = (c.accumulate ? w.y[o] : 0.0) + acc;
                    w.bound[o] = kRel * (mag + std::abs(w.y[o])) + 1e-30;
                }
            }
        }
        return w;
    }
    case Op::CsrSpmm: {
        const auto ptr = as(0, 0), col = as(1, 0);
        const auto vals = as(2, 0.0f), x = as(3, 0.0f);
        for (std::int64_t r = 0; r < m; ++r)
            for (std::int64_t f = 0; f < n; ++f) {
                double sum = 0, mag = 0, best = -INFINITY;
                for (std::int32_t q = ptr[std::size_t(r)]; q < ptr[std::size_t(r + 1)]; ++q) {
                    const double t = double(vals[std::size_t(q)]) * x[std::size_t(std::int64_t(col[std::size_t(q)]) * n + f)];
                    sum += t;
                    mag += std::abs(t);
                    best = std::max(best, t);
                }
                const std::int32_t count = ptr[std::size_t(r + 1)] - ptr[std::size_t(r)];
                const double out = count == 0                                ? 0.0
                                   : c.aggregation == Aggregation::Mean ? sum / count
                                   : c.aggregation == Aggregation::Max  ? best
                                                                        : sum;
                w.y[std::size_t(r * n + f)] = out;
                w.bound[std::size_t(r * n + f)] = kRel * (mag + std::abs(out)) + 1e-30;
            }
        return w;
    }
    default:
        return {};
    }
}

// Whether the call's contents are well-formed, written out again from backends/call_contents.h:
// 2:4 positions increasing, Samoyeds row indices inside their group and ascending, row ids inside X, scatter rows inside Y and distinct; CSR row pointers
// from 0 to nnz, non-decreasing, columns inside X. A call with no results checks nothing. Every
// device must run exactly the well-formed calls it supports.
bool wellFormedContents(const KernelCall &c, const std::vector<std::uint8_t> (&before)[8]) {
    if (c.m == 0 || c.n == 0)
        return true;
    const auto u32 = [&](int slot) {
        std::vector<std::uint32_t> v(before[slot].size() / 4);
        if (!v.empty())
            std::memcpy(v.data(), before[slot].data(), v.size() * 4);
        return v;
    };
    if (c.op == Op::Ssmm24) {
        const auto meta = u32(2), rows = u32(3), scatter = u32(5), indices = u32(7);
        const std::int64_t words = (c.k / 4 + 7) / 8, stored = c.g ? c.selection.keptRows(c.n) : c.n;
        for (std::size_t i = 0; c.g && i < std::size_t(c.k / c.selection.block * stored); ++i) // inside the group, ascending
            if (indices[i] >= std::uint32_t(c.selection.group) || (i % std::size_t(c.selection.kept) && indices[i] <= indices[i - 1]))
                return false;
        for (std::int64_t j = 0; c.k >= 4 && j < stored; ++j) // no groups: no rows to walk (n may be 2^31-1)
            for (std::int64_t g = 0; g < c.k / 4; ++g) {
                const std::uint32_t f = meta[std::size_t(j * words + g / 8)] >> (g % 8 * 4);
                if ((f & 3u) >= ((f >> 2) & 3u))
                    return false;
            }
        const std::int64_t xRows = std::int64_t(before[0].size() / std::size_t(std::max<std::int64_t>(c.k, 1) * 4));
        for (std::int64_t i = 0; c.d && i < c.m; ++i)
            if (std::int64_t(rows[std::size_t(i)]) >= xRows)
                return false;
        if (c.epilogue == Epilogue::GateScatterAdd) {
            std::vector<std::uint32_t> to(scatter.begin(), scatter.begin() + c.m);
            std::sort(to.begin(), to.end());
            if (!to.empty() && std::int64_t(to.back()) >= c.yRows)
                return false;
            if (std::adjacent_find(to.begin(), to.end()) != to.end())
                return false;
        }
    }
    if (c.op == Op::CsrSpmm) {
        const auto ptr = u32(0), col = u32(1);
        if (ptr[0] != 0 || std::int64_t(ptr[std::size_t(c.m)]) != c.nnz)
            return false;
        for (std::int64_t r = 0; r < c.m; ++r)
            if (std::int32_t(ptr[std::size_t(r)]) > std::int32_t(ptr[std::size_t(r + 1)]))
                return false;
        for (std::int64_t e = 0; e < c.nnz; ++e)
            if (std::int64_t(col[std::size_t(e)]) >= c.k) // unsigned: negative columns too
                return false;
    }
    return true;
}

// Whether every input float of the call is finite and moderate (raw input bytes make NaN, inf and
// 1e38 too, where a bound on the rounding says nothing).
bool tame(const std::vector<std::uint8_t> &bytes) {
    for (std::size_t i = 0; i + 4 <= bytes.size(); i += 4) {
        float f;
        std::memcpy(&f, bytes.data() + i, 4);
        if (!(std::abs(f) < 1e6f))
            return false;
    }
    return true;
}
bool tameHalves(const std::vector<std::uint8_t> &bytes) {
    for (std::size_t i = 0; i + 2 <= bytes.size(); i += 2) {
        std::uint16_t h;
        std::memcpy(&h, bytes.data() + i, 2);
        if (!(std::abs(seaside::kernels::halfToFloat(h)) < 1e4f))
            return false;
    }
    return true;
}

// The device SEASIDE_FUZZ_DEVICE names by backend (cpu when unset).
Device *deviceUnderTest() {
    const char *want = std::getenv("SEASIDE_FUZZ_DEVICE");
    const std::string backend = want && *want ? want : "cpu";
    for (Device *d : availableDevices())
        if (d->props().backend == backend)
            return d;
    std::fprintf(stderr, "SEASIDE_FUZZ_DEVICE=%s: no such device here\n", backend.c_str());
    std::exit(1);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static Device *const dev = deviceUnderTest();
    Input in{data, size};
    KernelCall c;
    c.op = Op(in.byte() % 5);
    c.m = in.dim();
    c.n = in.dim();
    c.k = in.dim();
    c.nnz = in.dim();
    c.yRows = in.dim();
    c.epilogue = Epilogue(in.byte() % 3);
    c.aggregation = Aggregation(in.byte() % 3);
    c.accumulate = in.byte() & 1;
    // Samoyeds' row selection and its indices (g) on some Ssmm24 calls: N <= M, V; now and then any
    // values, or a stray g on any call, to be refused
    bool withG = false;
    if (const std::uint8_t sel = in.byte(); sel < 100) {
        const int kept = 1 + in.byte() % 4;
        c.selection = {kept, kept + in.byte() % 5, 32 * (1 + in.byte() % 4)};
        withG = c.op == Op::Ssmm24;
    } else if (sel < 110) {
        c.selection = {int(std::int8_t(in.byte())), int(std::int8_t(in.byte())), int(std::int8_t(in.byte()))};
        withG = true;
    } else {
        withG = sel == 255;
    }
    c.label = "fuzz";

    // Each buffer slot: the size a well-formed call takes, one a little off, any size up to 32 KB,
    // or none (CPU buffers are heap blocks: ASan sees any access past one; a GPU's are not).
    std::unique_ptr<Buffer> owned[8];
    Buffer **slots[8] = {&c.a, &c.b, &c.c, &c.d, &c.e, &c.f, &c.y, &c.g};
    for (int i = 0; i < 8; ++i) {
        if (i == 7 && !withG)
            break;
        const std::uint8_t how = in.byte();
        std::size_t bytes = wellFormed(c, i, withG);
        if (how >= 160 && how < 200)
            bytes = bytes + 4 * (in.byte() % 5) - std::min<std::size_t>(bytes, 4 * (in.byte() % 5));
        else if (how >= 200 && how < 230)
            bytes = (std::size_t(in.byte()) << 7 | in.byte()) % (32 << 10);
        else if ((how >= 110 && how < 160) || how >= 230 || (bytes == 0 && how >= 80))
            continue; // optional ones (row ids) are absent as often as not
        if (bytes > (std::size_t(1) << 22))
            continue;
        auto b = dev->allocate(bytes);
        if (!b.ok())
            return 0;
        std::uint32_t bound;
        const Fill usual = usualFill(c, i, bound);
        const std::int64_t last = usual == RowIndices ? c.selection.kept : c.nnz; // CSR's end, or N
        const auto v = contents(in, bytes, std::uint32_t(std::max<std::int64_t>(0, std::min<std::int64_t>(last, 1 << 30))), usual, bound);
        if (!v.empty())
            (*b)->upload(v.data(), v.size());
        owned[i] = std::move(*b);
        *slots[i] = owned[i].get();
    }

    std::string why;
    const bool supported = dev->supports(c, &why);
    if (!supported && why.empty()) {
        std::fprintf(stderr, "supports() refused a call without a reason\n");
        std::abort();
    }
    std::vector<std::uint8_t> before[8];
    for (int i = 0; i < 8; ++i)
        before[i] = read<std::uint8_t>(*slots[i]);
    const seaside::Status s = dev->run({c});
    const bool wellFormed = supported && wellFormedContents(c, before); // sizes checked first
    if (supported && !s.ok() && s.message().empty()) {
        std::fprintf(stderr, "run() failed without a reason\n");
        std::abort();
    }
    // the data-dependent checks come with run(), on every device
    if (supported && s.ok() != wellFormed) {
        std::fprintf(stderr, "%s m=%lld n=%lld k=%lld nnz=%lld: run() %s a call whose contents are %s (%s)\n",
                     seaside::backends::opName(c.op), (long long)c.m, (long long)c.n, (long long)c.k, (long long)c.nnz,
                     s.ok() ? "ran" : "refused", wellFormed ? "well-formed" : "bad", s.message().c_str());
        std::abort();
    }
    if (!supported && s.ok()) {
        std::fprintf(stderr, "run() ran a call supports() refused (%s)\n", why.c_str());
        std::abort();
    }
    if (!s.ok())
        return 0;
    if (c.op == Op::TopKGates) { // the device's choices against the rule worked by hand (finite logits)
        if (c.m == 0 || !tame(before[0]))
            return 0;
        std::vector<float> logits(std::size_t(c.m * c.n));
        std::memcpy(logits.data(), before[0].data(), logits.size() * 4);
        std::vector<std::uint32_t> ids; // the rule by hand, not kernels::topKGates (the CPU device's)
        std::vector<double> gates;
        for (std::int64_t t = 0; t < c.m; ++t)
            seaside::testing::topKByHand(logits.data() + t * c.n, c.n, c.k, ids, gates);
        const auto got = read<std::uint32_t>(c.y);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            float g;
            std::memcpy(&g, &got[ids.size() + i], 4);
            if (got[i] != ids[i] || !(std::abs(double(g) - gates[i]) <= 1e-5)) {
                std::fprintf(stderr, "topk m=%lld n=%lld k=%lld: slot %zu picks %u with %.9g, by hand %u with %.9g\n",
                             (long long)c.m, (long long)c.n, (long long)c.k, i, got[i], double(g), ids[i], gates[i]);
                std::abort();
            }
        }
        return 0;
    }
    // a call it ran: the right answer, where the inputs are floats a bound can speak for (the
    // float slots: a, b, e, y, and c, d for CSR values and X)
    const bool floats = tame(before[6]) && (c.op == Op::CsrSpmm   ? tame(before[2]) && tame(before[3])
                                            : c.op == Op::GemmF16 ? tameHalves(before[0]) && tameHalves(before[1])
                                                                  : tame(before[0]) && tame(before[1]) && tame(before[4]));
    if (floats) {
        const Want want = oracle(c, before);
        const auto got = read<float>(c.y);
        for (std::size_t i = 0; i < want.y.size(); ++i)
            if (!(std::abs(double(got[i]) - want.y[i]) <= want.bound[i])) {
                std::fprintf(stderr, "%s m=%lld n=%lld k=%lld epilogue %d: Y[%zu] = %.9g, the reference gives %.9g (bound %.3g)\n",
                             opName(c.op), (long long)c.m, (long long)c.n, (long long)c.k, int(c.epilogue), i,
                             double(got[i]), want.y[i], want.bound[i]);
                std::abort();
            }
    }
    return 0;
}
