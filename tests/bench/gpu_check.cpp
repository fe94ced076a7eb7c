// The GPU check, built and run by gpu_check.sh: every kernel of the CUDA backend and, where the
// script found Vulkan (SEASIDE_GPU_CHECK_VULKAN, gpu_check_vulkan.cpp), of the Vulkan backend
// against the CPU reference (the backend-ops test in a form that builds without Qt, which the GPU
// machine's image lacks), then timings: SSMM and the fp16 GEMM against cuBLAS on Mixtral expert
// shapes, and Vulkan against CUDA on the same kernels (each device's own per-call timings: CUDA
// events, Vulkan timestamp queries), and the MoE router either side of each backend's switch from
// an invocation (CUDA: a warp) per row to a workgroup (block) per row. A backend without a device
// prints its rows as skipped and why; a Vulkan device that is a CPU implementation (lavapipe) is
// timed on a small shape only.
// Exits 1 when a check failed, else 0 (also when there is no device at all).
#include "backends/backend.h"
#include "backends/cuda/cuda_backend.h"
#include "kernels/half.h"
#include "kernels/reference.h"
#include "kernels/router.h"
#include "kernels/samoyeds.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <cstdlib>
#include <cstring>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include "../common/bad_contents.h"
#include "../common/random_data.h"
#include "../common/router_logits.h"
#include <vector>

using namespace seaside;
using namespace seaside::backends;

using seaside::testing::kRouterLogitKinds;
using seaside::testing::randomVector;
using seaside::testing::routerLogitLabel;
using seaside::testing::routerLogits;

#ifdef SEASIDE_GPU_CHECK_VULKAN
namespace seaside::gpucheck {
Device *vulkanDevice(std::string *why, bool *cpu); // gpu_check_vulkan.cpp
}
#endif

namespace {

template <typename T> std::unique_ptr<Buffer> put(Device *dev, const std::vector<T> &v) {
    auto b = dev->allocate(std::max<std::size_t>(4, v.size() * sizeof(T)));
    if (!b.ok()) {
        std::fprintf(stderr, "allocate: %s\n", b.error().message.c_str());
        std::exit(1);
    }
    if (!v.empty())
        (*b)->upload(v.data(), v.size() * sizeof(T));
    return std::move(*b);
}

std::vector<float> get(const Buffer &b, std::size_t n) {
    std::vector<float> v(n);
    b.download(v.data(), n * sizeof(float));
    return v;
}

int failures = 0;
void row(const char *what, const char *shape, const char *path, double nmse, double bound) {
    const bool ok = nmse < bound; // a NaN fails too
    failures += !ok;
    std::printf("| %-10s | %-22s | %-12s | %10.2e | %8.0e | %-4s |\n", what, shape, path, nmse, bound, ok ? "pass" : "FAIL");
}
// A check with a yes-or-no outcome (no NMSE to show).
void verdictRow(const char *what, const char *shape, const char *path, bool ok) {
    failures += !ok;
    std::printf("| %-10s | %-22s | %-12s | %10s | %8s | %-4s |\n", what, shape, path, "-", "-", ok ? "pass" : "FAIL");
}
// A check not run: what the device lacks, not a failure.
void skipRow(const char *what, const char *shape, const char *path, const std::string &why) {
    std::printf("  (%s)\n", why.c_str());
    std::printf("| %-10s | %-22s | %-12s | %10s | %8s | skip |\n", what, shape, path, "-", "-");
}

bool isCuda(const Device *d) { return d->props().backend == "cuda"; }
// The path column: CUDA names its kernel variant, Vulkan has one shader per op.
const char *pathOf(const Device *d, const char *cudaPath) { return isCuda(d) ? cudaPath : "vulkan"; }

// Ssmm24's paths with their bounds: CUDA picks its kernel by SEASIDE_CUDA_SSMM (the fp16 tensor
// cores round the operands: a looser bound); Vulkan has one fp32 shader.
struct SsmmPath {
    const char *name;
    double bound;
};
std::vector<SsmmPath> ssmmPaths(const Device *d) {
    if (isCuda(d))
        return {{"cuda-core", 1e-9}, {"tensor-core", 1e-5}};
    return {{"vulkan", 1e-9}};
}
void selectPath(const Device *d, const SsmmPath &p) {
    if (isCuda(d))
        setenv("SEASIDE_CUDA_SSMM", p.name, 1);
}

// NMSE of a run against the reference; a failed run counts as 1 and says why.
double score(const Status &st, const std::vector<float> &got, const std::vector<float> &want) {
    if (!st.ok()) {
        std::printf("  (run failed: %s)\n", st.message().c_str());
        return 1.0;
    }
    return kernels::ref::nmse(got.data(), want.data(), want.size());
}

float silu(float g) { return g / (1.0f + std::exp(-g)); } // as the CPU backend computes it

std::vector<std::uint16_t> toHalf(const std::vector<float> &v) {
    std::vector<std::uint16_t> h(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        h[i] = kernels::floatToHalf(v[i]);
    return h;
}
std::vector<float> fromHalf(const std::vector<std::uint16_t> &h) {
    std::vector<float> v(h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
        v[i] = kernels::halfToFloat(h[i]);
    return v;
}

KernelCall ssmmCall(Buffer *x, Buffer *v, Buffer *meta, Buffer *rows, Buffer *y, int m, int n, int k) {
    KernelCall c;
    c.op = Op::Ssmm24;
    c.a = x;
    c.b = v;
    c.c = meta;
    c.d = rows;
    c.y = y;
    c.m = m;
    c.n = n;
    c.k = k;
    c.label = "ssmm";
    return c;
}

// Ssmm24's epilogues on both paths against ws = the reference product (rows gathered or not):
// without gather Store+accumulate and SiluMul into another buffer (split K zeroes Y first on the
// larger shapes), with gather SiluMul in place (e = y) and the gate scatter-add.
void checkEpilogues(Device *d, const char *shape, const std::vector<float> &ws, bool gather, Buffer *bx, Buffer *bv,
                    Buffer *bm, Buffer *br, int m, int n, int k) {
    const auto y0 = randomVector(ws.size(), 6), pre = randomVector(ws.size(), 7, 2.0f);
    const int yRows = m + 3;
    const auto gates = randomVector(std::size_t(m), 8), yBig = randomVector(std::size_t(yRows) * n, 9);
    std::vector<std::uint32_t> scatter; // distinct rows of the larger Y, in reverse
    for (int i = 0; i < m; ++i)
        scatter.push_back(std::uint32_t(yRows - 1 - i));
    auto bg = put(d, gates), bs = put(d, scatter);
    for (const SsmmPath &p : ssmmPaths(d)) {
        selectPath(d, p);
        const char *path = p.name;
        const double bound = p.bound;
        if (!gather) {
            std::vector<float> want(ws.size());
            for (std::size_t i = 0; i < ws.size(); ++i)
                want[i] = y0[i] + ws[i];
            auto y = put(d, y0);
            KernelCall c = ssmmCall(bx, bv, bm, nullptr, y.get(), m, n, k);
            c.accumulate = true;
            const Status st = d->run({c});
            row("ssmm+acc", shape, path, score(st, get(*y, want.size()), want), bound);

            for (std::size_t i = 0; i < ws.size(); ++i)
                want[i] = silu(pre[i]) * ws[i];
            auto e = put(d, pre), y2 = put(d, std::vector<float>(ws.size(), -7.0f));
            KernelCall cs = ssmmCall(bx, bv, bm, nullptr, y2.get(), m, n, k);
            cs.epilogue = Epilogue::SiluMul;
            cs.e = e.get();
            const Status ss = d->run({cs});
            row("ssmm+silu", shape, path, score(ss, get(*y2, want.size()), want), bound);
        } else {
            std::vector<float> want(ws.size());
            for (std::size_t i = 0; i < ws.size(); ++i)
                want[i] = silu(pre[i]) * ws[i];
            auto ye = put(d, pre); // e and y the same buffer
            KernelCall cs = ssmmCall(bx, bv, bm, br, ye.get(), m, n, k);
            cs.epilogue = Epilogue::SiluMul;
            cs.e = ye.get();
            const Status ss = d->run({cs});
            row("ssmm+silu=", shape, path, score(ss, get(*ye, want.size()), want), bound);

            std::vector<float> wantBig = yBig;
            for (int i = 0; i < m; ++i)
                for (int c = 0; c < n; ++c)
                    wantBig[std::size_t(scatter[std::size_t(i)]) * n + c] += gates[std::size_t(i)] * ws[std::size_t(i) * n + c];
            auto y = put(d, yBig);
            KernelCall cg = ssmmCall(bx, bv, bm, br, y.get(), m, n, k);
            cg.epilogue = Epilogue::GateScatterAdd;
            cg.e = bg.get();
            cg.f = bs.get();
            cg.yRows = yRows;
            const Status sg = d->run({cg});
            row("ssmm+scat", shape, path, score(sg, get(*y, wantBig.size()), wantBig), bound);
        }
    }
    unsetenv("SEASIDE_CUDA_SSMM");
}

// Y = aggregate over the row's entries of value * X[col], in double (kernels::ref::aggregate's rule).
std::vector<float> aggregateRef(const std::vector<std::int32_t> &rp, const std::vector<std::int32_t> &ci,
                                const std::vector<float> &vals, const std::vector<float> &x, int rows, int f,
                                Aggregation how) {
    std::vector<float> y(std::size_t(rows) * f);
    for (int r = 0; r < rows; ++r)
        for (int j = 0; j < f; ++j) {
            double acc = how == Aggregation::Max ? -std::numeric_limits<double>::infinity() : 0.0;
            for (std::int32_t e = rp[std::size_t(r)]; e < rp[std::size_t(r) + 1]; ++e) {
                const double v = double(vals[std::size_t(e)]) * x[std::size_t(ci[std::size_t(e)]) * f + j];
                acc = how == Aggregation::Max ? std::max(acc, v) : acc + v;
            }
            const int count = rp[std::size_t(r) + 1] - rp[std::size_t(r)];
            if (count == 0)
                acc = 0;
            else if (how == Aggregation::Mean)
                acc /= count;
            y[std::size_t(r) * f + j] = float(acc);
        }
    return y;
}

void checkCsrAggregations(Device *d) {
    // 300 rows of 0 to 99 entries (every 11th empty, row 5 with 99: four chunks of 32), 70 features
    const int rows = 300, cols = 257, f = 70;
    std::vector<std::int32_t> rp{0}, ci;
    std::uint32_t state = 12345;
    auto next = [&state] { return state = state * 1664525u + 1013904223u; };
    for (int r = 0; r < rows; ++r) {
        const int deg = r % 11 == 0 ? 0 : r == 5 ? 99 : int(next() >> 8) % 40;
        for (int j = 0; j < deg; ++j)
            ci.push_back(std::int32_t((next() >> 8) % cols));
        rp.push_back(std::int32_t(ci.size()));
    }
    const auto vals = randomVector(ci.size(), 10), x = randomVector(std::size_t(cols) * f, 11);
    auto a = put(d, rp), b = put(d, ci), c = put(d, vals), xx = put(d, x);
    const struct {
        Aggregation how;
        const char *name;
    } modes[] = {{Aggregation::Sum, "csr_sum"}, {Aggregation::Mean, "csr_mean"}, {Aggregation::Max, "csr_max"}};
    for (const auto &mode : modes) {
        const auto want = aggregateRef(rp, ci, vals, x, rows, f, mode.how);
        auto y = put(d, std::vector<float>(want.size(), -1.0f));
        KernelCall k{Op::CsrSpmm, a.get(), b.get(), c.get(), xx.get(), y.get(), rows, f, cols, std::int64_t(ci.size()), "csr"};
        k.aggregation = mode.how;
        const Status st = d->run({k});
        char shape[64];
        std::snprintf(shape, sizeof shape, "300x257 nnz %zu x 70", ci.size());
        row(mode.name, shape, pathOf(d, "warp-per-row"), score(st, get(*y, want.size()), want), 1e-9);
    }
}

// The router on one device against the oracle; vkShader: the Vulkan shader SEASIDE_VK_TOPK
// forces (null on CUDA; a CPU implementation keeps rows that Mesa's loop limit would cut short
// from the forced shader, so there the label may name the other). 3x300 top 300 and 2x1500 top
// 1500 pick every expert.
void checkTopKWith(Device *d, const char *vkShader) {
    if (vkShader)
        setenv("SEASIDE_VK_TOPK", vkShader, 1);
    const int shapes[][3] = {{1, 1, 1},     {1000, 8, 2},  {513, 64, 6},  {300, 160, 8},  {300, 257, 8},
                             {77, 1024, 3}, {19, 2000, 4}, {3, 300, 300}, {2, 1500, 1500}, {512, 4096, 8}};
    for (int variant = 0; variant < kRouterLogitKinds; ++variant)
        for (const auto &s : shapes) {
            const int m = s[0], n = s[1], k = s[2];
            const auto logits = routerLogits(m, n, variant, 12);
            std::vector<std::uint32_t> ids(std::size_t(m) * k);
            std::vector<float> gates(ids.size());
            kernels::topKGates(logits.data(), m, n, k, ids.data(), gates.data());
            auto a = put(d, logits), y = put(d, std::vector<std::uint32_t>(2 * ids.size(), 0xdeadbeefu));
            KernelCall c;
            c.op = Op::TopKGates;
            c.a = a.get();
            c.y = y.get();
            c.m = m;
            c.n = n;
            c.k = k;
            char shape[64];
            std::snprintf(shape, sizeof shape, "%dx%d top %d%s", m, n, k, routerLogitLabel(variant));
            const char *path = isCuda(d) ? (n > 1024 ? "block-row" : "warp-row")
                                         : (std::strcmp(vkShader, "workgroup") == 0 ? "vulkan wgrp" : "vulkan row");
            std::string why;
            if (!d->supports(c, &why)) { // no device refuses these: a refusal shows as a skip with its reason
                skipRow("topk", shape, path, why);
                continue;
            }
            const Status st = d->run({c});
            std::vector<std::uint32_t> gotIds(ids.size());
            y->download(gotIds.data(), gotIds.size() * 4);
            std::vector<float> gotGates(gates.size());
            y->download(gotGates.data(), gotGates.size() * 4, gotIds.size() * 4);
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < ids.size(); ++i)
                wrong += gotIds[i] != ids[i];
            if (wrong)
                std::printf("  (%zu of %zu expert ids differ)\n", wrong, ids.size());
            row("topk", shape, path, wrong && st.ok() ? 1.0 : score(st, gotGates, gates), 1e-9);
        }
}

// Vulkan: both router shaders, an invocation per row and a workgroup per row (ops/topk_gates.cpp:
// a GPU takes the second); CUDA: a warp per row up to 1024 experts, a block per row above
// (kernels.cuh's kTopKWarpExperts).
void checkTopK(Device *d) {
    if (isCuda(d)) {
        checkTopKWith(d, nullptr);
        return;
    }
    checkTopKWith(d, "invocation");
    checkTopKWith(d, "workgroup");
    unsetenv("SEASIDE_VK_TOPK");
}

void checkGemmF16(Device *d) {
    { // a device without fp16 arithmetic (a Vulkan one without shaderFloat16) refuses GemmF16
        auto b = put(d, std::vector<float>(1));
        std::string why;
        if (!d->supports({Op::GemmF16, b.get(), b.get(), nullptr, nullptr, b.get(), 1, 1, 1, 0, "probe"}, &why)) {
            skipRow("gemm_f16", "all shapes", pathOf(d, "mma.sync"), why);
            return;
        }
    }
    // k % 8 != 0 takes the half-by-half loader; 264 ends on a partly filled slab
    const int shapes[][3] = {{1, 3, 4}, {7, 17, 12}, {65, 130, 260}, {130, 200, 264}, {256, 512, 1024}};
    for (const auto &s : shapes) {
        const int m = s[0], n = s[1], k = s[2];
        char shape[64];
        std::snprintf(shape, sizeof shape, "%dx%dx%d", m, n, k);
        const auto xh = toHalf(randomVector(std::size_t(m) * k, 13)), wh = toHalf(randomVector(std::size_t(n) * k, 14));
        const auto xf = fromHalf(xh), wf = fromHalf(wh);
        std::vector<float> want(std::size_t(m) * n);
        kernels::ref::gemm(xf.data(), wf.data(), want.data(), m, n, k); // the rounded operands, exactly
        auto bx = put(d, xh), bw = put(d, wh);
        for (bool acc : {false, true}) {
            const auto y0 = randomVector(want.size(), 15);
            std::vector<float> w2 = want;
            if (acc)
                for (std::size_t i = 0; i < w2.size(); ++i)
                    w2[i] += y0[i];
            auto y = put(d, acc ? y0 : std::vector<float>(want.size(), -3.0f));
            KernelCall c{Op::GemmF16, bx.get(), bw.get(), nullptr, nullptr, y.get(), m, n, k, 0, "gemm_f16"};
            c.accumulate = acc;
            const Status st = d->run({c});
            row(acc ? "f16+acc" : "gemm_f16", shape, pathOf(d, "mma.sync"), score(st, get(*y, w2.size()), w2), 1e-8);
        }
    }
}

// More row tiles than one grid axis holds (65535 blocks or workgroups; 128 rows is the tallest
// tile of either backend): the kernels loop over the rest. Scored on the whole result and on its
// last rows alone, which a kernel that stopped at the grid's edge leaves unwritten.
void checkTallGrids(Device *d) {
    const std::int64_t m = 65535LL * 128 + 67, n = 3, k = 4;
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)m, (long long)n, (long long)k);
    const auto x = randomVector(std::size_t(m * k), 31), w = randomVector(std::size_t(n * k), 32);
    const auto xh = toHalf(x), wh = toHalf(w);
    const auto sw = *kernels::prune24(w.data(), n, k);
    const std::size_t tail = std::size_t(67 * n);
    const auto worst = [&](const Status &st, const std::vector<float> &got, const std::vector<float> &want) {
        const double all = score(st, got, want);
        return st.ok() ? std::max(all, kernels::ref::nmse(got.data() + got.size() - tail, want.data() + want.size() - tail, tail)) : all;
    };
    std::vector<float> want(std::size_t(m * n));
    kernels::ref::gemm(x.data(), w.data(), want.data(), m, n, k);
    auto bx = put(d, x), bw = put(d, w), y = put(d, std::vector<float>(want.size(), -3.0f));
    Status st = d->run({{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, y.get(), m, n, k, 0, "tall gemm"}});
    row("gemm", shape, pathOf(d, "cuda-core"), worst(st, get(*y, want.size()), want), 1e-9);

    kernels::ref::ssmm24(x.data(), sw, nullptr, want.data(), m);
    auto bv = put(d, sw.values), bm = put(d, sw.meta);
    for (const SsmmPath &p : ssmmPaths(d)) {
        selectPath(d, p);
        auto out = put(d, std::vector<float>(want.size(), -3.0f));
        st = d->run({ssmmCall(bx.get(), bv.get(), bm.get(), nullptr, out.get(), int(m), int(n), int(k))});
        row("ssmm24", shape, p.name, worst(st, get(*out, want.size()), want), p.bound);
    }
    unsetenv("SEASIDE_CUDA_SSMM");

    std::string why;
    auto bxh = put(d, xh), bwh = put(d, wh), yh = put(d, std::vector<float>(want.size(), -3.0f));
    const KernelCall f16{Op::GemmF16, bxh.get(), bwh.get(), nullptr, nullptr, yh.get(), m, n, k, 0, "tall gemm_f16"};
    if (!d->supports(f16, &why)) {
        skipRow("gemm_f16", shape, pathOf(d, "mma.sync"), why);
        return;
    }
    const auto xf = fromHalf(xh), wf = fromHalf(wh);
    kernels::ref::gemm(xf.data(), wf.data(), want.data(), m, n, k);
    st = d->run({f16});
    row("gemm_f16", shape, pathOf(d, "mma.sync"), worst(st, get(*yh, want.size()), want), 1e-8);
}

// One run() of dependent calls (they go in order on one stream): a Gemm makes X, then the MoE
// expert chain of Samoyeds on it: w1 (Store, gathered rows), w3 with SiLU(w1) fused in place,
// w2 with the gates and the scatter-add back to token rows.
void checkSequence(Device *d) {
    const int tokens = 96, model = 128, hidden = 256, inter = 512, m = 40;
    const auto a = randomVector(std::size_t(tokens) * model, 20, 0.3f), b = randomVector(std::size_t(hidden) * model, 21, 0.3f);
    std::vector<float> x(std::size_t(tokens) * hidden);
    kernels::ref::gemm(a.data(), b.data(), x.data(), tokens, hidden, model);
    const auto w1 = *kernels::prune24(randomVector(std::size_t(inter) * hidden, 22, 0.1f).data(), inter, hidden);
    const auto w3 = *kernels::prune24(randomVector(std::size_t(inter) * hidden, 23, 0.1f).data(), inter, hidden);
    const auto w2 = *kernels::prune24(randomVector(std::size_t(hidden) * inter, 24, 0.1f).data(), hidden, inter);
    std::vector<std::uint32_t> tok; // the expert's tokens: every other one, from 3
    for (int i = 0; i < m; ++i)
        tok.push_back(std::uint32_t(3 + 2 * i));
    const auto gates = randomVector(std::size_t(m), 25), y0 = randomVector(std::size_t(tokens) * hidden, 26);
    // reference
    std::vector<float> h1(std::size_t(m) * inter), h3(h1.size()), o(std::size_t(m) * hidden);
    kernels::ref::ssmm24(x.data(), w1, tok.data(), h1.data(), m);
    kernels::ref::ssmm24(x.data(), w3, tok.data(), h3.data(), m);
    for (std::size_t i = 0; i < h1.size(); ++i)
        h1[i] = silu(h1[i]) * h3[i];
    kernels::ref::ssmm24(h1.data(), w2, nullptr, o.data(), m);
    std::vector<float> want = y0;
    for (int i = 0; i < m; ++i)
        for (int c = 0; c < hidden; ++c)
            want[std::size_t(tok[std::size_t(i)]) * hidden + c] += gates[std::size_t(i)] * o[std::size_t(i) * hidden + c];

    auto ba = put(d, a), bb = put(d, b), bx = put(d, std::vector<float>(x.size())), bt = put(d, tok), bg = put(d, gates);
    auto v1 = put(d, w1.values), m1 = put(d, w1.meta), v3 = put(d, w3.values), m3 = put(d, w3.meta);
    auto v2 = put(d, w2.values), m2 = put(d, w2.meta);
    for (const SsmmPath &p : ssmmPaths(d)) {
        selectPath(d, p);
        auto bh = put(d, std::vector<float>(h1.size())), by = put(d, y0);
        KernelCall g{Op::Gemm, ba.get(), bb.get(), nullptr, nullptr, bx.get(), tokens, hidden, model, 0, "x"};
        KernelCall c1 = ssmmCall(bx.get(), v1.get(), m1.get(), bt.get(), bh.get(), m, inter, hidden);
        KernelCall c3 = ssmmCall(bx.get(), v3.get(), m3.get(), bt.get(), bh.get(), m, inter, hidden);
        c3.epilogue = Epilogue::SiluMul;
        c3.e = bh.get();
        KernelCall c2 = ssmmCall(bh.get(), v2.get(), m2.get(), nullptr, by.get(), m, hidden, inter);
        c2.epilogue = Epilogue::GateScatterAdd;
        c2.e = bg.get();
        c2.f = bt.get();
        c2.yRows = tokens;
        std::vector<double> times;
        const Status st = d->run({g, c1, c3, c2}, &times);
        row("sequence", "gemm>w1>w3 silu>w2 scat", p.name, score(st, get(*by, want.size()), want), p.bound);
    }
    unsetenv("SEASIDE_CUDA_SSMM");
}

// Calls with bad contents (tests/common/bad_contents.h): refused, in the CPU device's words.
void checkBadContents(Device *d) {
    for (const auto &bad : seaside::testing::badContentsCases()) {
        std::vector<std::unique_ptr<Buffer>> keep;
        const KernelCall call = seaside::testing::badContentsCall(*d, bad.fault, keep);
        if (call.g && isCuda(d)) { // Samoyeds' row selection has no CUDA kernel (supports() says so)
            std::printf("  (%s: not run on CUDA, which has no row-selected Ssmm24)\n", bad.fault);
            continue;
        }
        const Status st = d->run({call});
        const bool refused = !st.ok() && st.message().find(bad.expected) != std::string::npos;
        if (!refused)
            std::printf("  (%s: expected \"%s\", got %s)\n", bad.fault, bad.expected, st.ok() ? "a run" : st.message().c_str());
        verdictRow("refuses", bad.fault, pathOf(d, "checks"), refused);
    }
}

// Ssmm24 with Samoyeds' row selection (1:2 over 128 columns), gathered tokens, against the
// densified weights; a device without the kernel (CUDA) says so in a skipped row.
void checkSamoyeds(Device *d) {
    const int m = 70, n = 256, k = 512, xRows = 90;
    const auto x = randomVector(std::size_t(xRows) * k, 11), wd = randomVector(std::size_t(n) * k, 12);
    const auto w = *kernels::pruneSamoyeds(wd.data(), n, k);
    std::vector<std::uint32_t> rows;
    std::vector<float> gathered, want(std::size_t(m) * n);
    for (int i = 0; i < m; ++i) {
        rows.push_back(std::uint32_t((i * 7 + 3) % xRows));
        gathered.insert(gathered.end(), x.begin() + rows.back() * k, x.begin() + (rows.back() + 1) * k);
    }
    kernels::ref::gemm(gathered.data(), kernels::densify(w).data(), want.data(), m, n, k);
    auto bx = put(d, x), bv = put(d, w.compact.values), bm = put(d, w.compact.meta), bi = put(d, w.indices);
    auto br = put(d, rows), by = put(d, std::vector<float>(want.size()));
    KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), br.get(), by.get(), m, n, k, 0, "samoyeds"};
    c.g = bi.get();
    c.selection = {w.n, w.m, w.v};
    if (std::string why; isCuda(d) && !d->supports(c, &why)) // Vulkan must run it
        return skipRow("samoyeds", "70x256x512 1:2/128", pathOf(d, "-"), why);
    const Status st = d->run({c});
    row("samoyeds", "70x256x512 1:2/128", pathOf(d, "-"), score(st, get(*by, want.size()), want), 1e-9);
}

void checkOps(Device *d) {
    const int shapes[][3] = {{1, 3, 4}, {7, 17, 12}, {65, 130, 260}, {256, 512, 1024}};
    for (const auto &s : shapes) {
        const int m = s[0], n = s[1], k = s[2];
        char shape[64];
        std::snprintf(shape, sizeof shape, "%dx%dx%d", m, n, k);
        const auto x = randomVector(std::size_t(m * k), 1), w = randomVector(std::size_t(n * k), 2);
        std::vector<float> want(std::size_t(m * n));
        kernels::ref::gemm(x.data(), w.data(), want.data(), m, n, k);
        auto bx = put(d, x), bw = put(d, w), by = put(d, std::vector<float>(want.size()));
        Status st = d->run({{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, by.get(), m, n, k, 0, "gemm"}});
        const auto got = get(*by, want.size());
        row("gemm", shape, pathOf(d, "cuda-core"), st.ok() ? kernels::ref::nmse(got.data(), want.data(), want.size()) : 1.0, 1e-9);
        { // Y += X.W^T onto a Y that holds something
            const auto y0 = randomVector(want.size(), 5);
            std::vector<float> wantAcc(want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                wantAcc[i] = y0[i] + want[i];
            auto ya = put(d, y0);
            KernelCall c{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, ya.get(), m, n, k, 0, "gemm+acc"};
            c.accumulate = true;
            const Status sa = d->run({c});
            row("gemm+acc", shape, pathOf(d, "cuda-core"), score(sa, get(*ya, want.size()), wantAcc), 1e-9);
        }

        const auto sw = *kernels::prune24(w.data(), n, k);
        std::vector<std::uint32_t> rows;
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 5 + 1) % m));
        for (bool gather : {false, true}) {
            std::vector<float> ws(want.size());
            kernels::ref::ssmm24(x.data(), sw, gather ? rows.data() : nullptr, ws.data(), m);
            auto bv = put(d, sw.values), bm = put(d, sw.meta), br = put(d, rows);
            for (const SsmmPath &p : ssmmPaths(d)) {
                selectPath(d, p);
                auto out = put(d, std::vector<float>(want.size()));
                KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), gather ? br.get() : nullptr, out.get(), m, n, k, 0, "ssmm"};
                Status s2 = d->run({c});
                const auto g2 = get(*out, want.size());
                row(gather ? "ssmm24+gath" : "ssmm24", shape, p.name, s2.ok() ? kernels::ref::nmse(g2.data(), ws.data(), ws.size()) : 1.0,
                    p.bound);
            }
            unsetenv("SEASIDE_CUDA_SSMM");
            checkEpilogues(d, shape, ws, gather, bx.get(), bv.get(), bm.get(), br.get(), m, n, k);
        }
    }
    checkSamoyeds(d);
    // CSR with an isolated node and an empty row
    std::vector<std::int32_t> rp{0, 1, 3, 3, 5, 6}, ci{1, 0, 4, 2, 0, 4};
    const auto vals = randomVector(6, 3), x = randomVector(5 * 37, 4);
    std::vector<float> want(5 * 37);
    kernels::ref::csrSpmm(rp.data(), ci.data(), vals.data(), x.data(), want.data(), 5, 37);
    auto a = put(d, rp), b = put(d, ci), c = put(d, vals), xx = put(d, x), y = put(d, std::vector<float>(want.size(), -1));
    Status st = d->run({{Op::CsrSpmm, a.get(), b.get(), c.get(), xx.get(), y.get(), 5, 37, 5, 6, "csr"}});
    const auto got = get(*y, want.size());
    row("csr_spmm", "5 rows x 37", pathOf(d, "warp-per-row"), st.ok() ? kernels::ref::nmse(got.data(), want.data(), want.size()) : 1.0, 1e-9);
    checkCsrAggregations(d);
    checkTopK(d);
    checkGemmF16(d);
    checkSequence(d);
    checkBadContents(d);
}


double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// cuBLAS dense peers: fp32 SGEMM and fp16 tensor cores with fp32 accumulation, Y = X . W^T.
double cublasMs(int m, int n, int k, bool fp16) {
    cublasHandle_t h;
    cublasCreate(&h);
    void *x, *w, *y;
    const std::size_t el = fp16 ? 2 : 4;
    cudaMalloc(&x, std::size_t(m) * k * el);
    cudaMalloc(&w, std::size_t(n) * k * el);
    cudaMalloc(&y, std::size_t(m) * n * 4);
    cudaMemset(x, 0, std::size_t(m) * k * el);
    cudaMemset(w, 0, std::size_t(n) * k * el);
    const float one = 1, zero = 0;
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    std::vector<double> times;
    for (int it = 0; it < 12; ++it) {
        cudaEventRecord(a);
        // column-major view: Y^T[n,m] = W[n,k] . X^T[k,m]
        if (fp16)
            cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, w, CUDA_R_16F, k, x, CUDA_R_16F, k, &zero, y, CUDA_R_32F, n,
                         CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
        else
            cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, (float *)w, k, (float *)x, k, &zero, (float *)y, n);
        cudaEventRecord(b);
        cudaEventSynchronize(b);
        float ms = 0;
        cudaEventElapsedTime(&ms, a, b);
        if (it >= 2)
            times.push_back(ms);
    }
    cudaFree(x);
    cudaFree(w);
    cudaFree(y);
    cublasDestroy(h);
    return median(times);
}

// One call's time in ms on the device's own clock (Device::run's timings: CUDA events, Vulkan
// timestamp queries): the median after a warm-up run, over at most 10 runs and about a second, so
// that a slow device (lavapipe; Vulkan reading host-visible memory over PCIe) keeps the check short.
// NaN when the device refuses or fails the call, `why` saying why.
double callMs(Device *d, const KernelCall &c, std::string *why) {
    if (!d->supports(c, why))
        return std::nan("");
    std::vector<double> t, times;
    double total = 0;
    Status st;
    for (int it = 0; it < 11 && st.ok() && (times.size() < 3 || total < 1e3); ++it) {
        st = d->run({c}, &t);
        if (st.ok() && it > 0) { // the first run builds pipelines and fills caches
            times.push_back(t.at(0) * 1e3);
            total += times.back();
        }
    }
    if (!st.ok()) {
        *why = st.message();
        return std::nan("");
    }
    return median(times);
}

// A Seaside GEMM or SSMM's time (callMs) on random operands; `path` picks CUDA's SSMM path.
double seasideMs(Device *d, Op op, int m, int n, int k, const char *path, std::string *why) {
    if (path && std::strcmp(path, "samoyeds") != 0)
        setenv("SEASIDE_CUDA_SSMM", path, 1);
    auto x = op == Op::GemmF16 ? put(d, toHalf(randomVector(std::size_t(m) * k, 1, 0.1f)))
                               : put(d, randomVector(std::size_t(m) * k, 1, 0.1f));
    std::unique_ptr<Buffer> w, v, meta, indices, y = put(d, std::vector<float>(std::size_t(m) * n));
    KernelCall c;
    if (op == Op::GemmF16) {
        w = put(d, toHalf(randomVector(std::size_t(n) * k, 2, 0.1f)));
        c = {Op::GemmF16, x.get(), w.get(), nullptr, nullptr, y.get(), m, n, k, 0, "gemm_f16"};
    } else if (op == Op::Gemm) {
        w = put(d, randomVector(std::size_t(n) * k, 2, 0.1f));
        c = {Op::Gemm, x.get(), w.get(), nullptr, nullptr, y.get(), m, n, k, 0, "gemm"};
    } else if (path && std::strcmp(path, "samoyeds") == 0) { // 1:2 rows over 128 columns, then 2:4
        const auto sw = *kernels::pruneSamoyeds(randomVector(std::size_t(n) * k, 2, 0.1f).data(), n, k);
        v = put(d, sw.compact.values);
        meta = put(d, sw.compact.meta);
        indices = put(d, sw.indices);
        c = {Op::Ssmm24, x.get(), v.get(), meta.get(), nullptr, y.get(), m, n, k, 0, "samoyeds"};
        c.g = indices.get();
        c.selection = {sw.n, sw.m, sw.v};
    } else {
        const auto sw = *kernels::prune24(randomVector(std::size_t(n) * k, 2, 0.1f).data(), n, k);
        v = put(d, sw.values);
        meta = put(d, sw.meta);
        c = {Op::Ssmm24, x.get(), v.get(), meta.get(), nullptr, y.get(), m, n, k, 0, "ssmm"};
    }
    const double ms = callMs(d, c, why);
    unsetenv("SEASIDE_CUDA_SSMM");
    return ms;
}

// The router's time, 512 tokens: CUDA either side of its switch from a warp per row to a block
// per row, Vulkan's two shaders (an invocation per row, a workgroup per row) on the same rows.
void benchRouter(Device *cuda, Device *vk) {
    std::printf("\n| Router (TopKGates), 512 tokens  | path                           |     ms |\n");
    std::printf("|----------------------------------|--------------------------------|--------|\n");
    struct Case {
        Device *d;
        int n, k;
        const char *path, *vkShader; // vkShader: SEASIDE_VK_TOPK for the Vulkan rows
    };
    const Case cases[] = {{cuda, 8, 2, "CUDA warp per row", nullptr},
                          {cuda, 256, 8, "CUDA warp per row", nullptr},
                          {cuda, 1024, 8, "CUDA warp per row", nullptr},
                          {cuda, 1025, 8, "CUDA block per row", nullptr},
                          {vk, 8, 2, "Vulkan invocation per row", "invocation"},
                          {vk, 8, 2, "Vulkan workgroup per row", "workgroup"},
                          {vk, 256, 8, "Vulkan invocation per row", "invocation"},
                          {vk, 256, 8, "Vulkan workgroup per row", "workgroup"},
                          {vk, 1025, 8, "Vulkan invocation per row", "invocation"},
                          {vk, 1025, 8, "Vulkan workgroup per row", "workgroup"}};
    for (const Case &c : cases) {
        if (!c.d)
            continue;
        if (c.vkShader)
            setenv("SEASIDE_VK_TOPK", c.vkShader, 1);
        const int m = 512;
        auto logits = put(c.d, randomVector(std::size_t(m) * c.n, 3, 2.0f));
        auto out = put(c.d, std::vector<std::uint32_t>(std::size_t(2 * m * c.k)));
        const KernelCall call{Op::TopKGates, logits.get(), nullptr, nullptr, nullptr, out.get(), m, c.n, c.k, 0, "router"};
        std::string why;
        const double ms = callMs(c.d, call, &why);
        char shape[64];
        std::snprintf(shape, sizeof shape, "512x%d top %d", c.n, c.k);
        if (std::isnan(ms))
            std::printf("  (%s)\n| %-32s | %-30s | %6s |\n", why.c_str(), shape, c.path, "skip");
        else
            std::printf("| %-32s | %-30s | %6.3f |\n", shape, c.path, ms);
    }
    unsetenv("SEASIDE_VK_TOPK");
}

// The timing table: per shape the CUDA rows (cuBLAS and Seaside's kernels) and the Vulkan rows (the
// same Seaside kernels as shaders). Mixtral expert shapes; a CPU Vulkan device (lavapipe) would take
// minutes there, so it gets a small shape of its own, which CUDA then runs too for the comparison.
void bench(Device *cuda, const std::string &cudaWhy, Device *vk, bool vkCpu) {
    std::printf("\n");
    if (!cuda)
        std::printf("(CUDA and cuBLAS rows skipped; %s)\n", cudaWhy.c_str());
    if (vk && vkCpu)
        std::printf("(Vulkan rows on %s, a CPU implementation: the small shape only)\n", vk->props().name.c_str());
    std::printf("| Mixtral expert GEMM (Y = X.W^T)   | kernel                         |     ms | dense-equiv TFLOP/s |\n");
    std::printf("|----------------------------------|--------------------------------|--------|---------------------|\n");
    struct Shape {
        int m, n, k;
        const char *name;
    };
    std::vector<Shape> shapes = {{512, 14336, 4096, "w1/w3"}, {512, 4096, 14336, "w2"}, {2048, 14336, 4096, "w1/w3"}};
    if (vk && vkCpu)
        shapes.push_back({128, 256, 512, "small"});
    for (const Shape &s : shapes) {
        const int m = s.m, n = s.n, k = s.k;
        const bool small = std::strcmp(s.name, "small") == 0;
        char shape[64];
        std::snprintf(shape, sizeof shape, "%s %dx%dx%d", s.name, m, n, k);
        const double flops = 2.0 * m * n * k;
        auto line = [&](const char *kernel, double ms, const std::string &why = "") {
            if (std::isnan(ms))
                std::printf("  (%s)\n| %-32s | %-30s | %6s | %19s |\n", why.c_str(), shape, kernel, "skip", "-");
            else
                std::printf("| %-32s | %-30s | %6.3f | %19.4g |\n", shape, kernel, ms, flops / (ms * 1e-3) / 1e12);
        };
        std::string why;
        if (cuda) {
            line("cuBLAS SGEMM fp32 (dense)", cublasMs(m, n, k, false));
            line("cuBLAS fp16 tensor cores (dense)", cublasMs(m, n, k, true));
            line("Seaside gemm_f16 mma.sync (dense)", seasideMs(cuda, Op::GemmF16, m, n, k, nullptr, &why), why);
            line("Seaside gemm fp32 (dense)", seasideMs(cuda, Op::Gemm, m, n, k, nullptr, &why), why);
            line("Seaside ssmm24 CUDA cores", seasideMs(cuda, Op::Ssmm24, m, n, k, "cuda-core", &why), why);
            line("Seaside ssmm24 mma.sp fp16", seasideMs(cuda, Op::Ssmm24, m, n, k, "tensor-core", &why), why);
        } else {
            std::printf("| %-32s | %-30s | %6s | %19s |\n", shape, "CUDA and cuBLAS rows", "skip", "-");
        }
        if (vk && vkCpu == small) { // Vulkan against the CUDA rows above: the same kernels, as shaders
            line("Vulkan gemm_f16 (dense)", seasideMs(vk, Op::GemmF16, m, n, k, nullptr, &why), why);
            line("Vulkan gemm fp32 (dense)", seasideMs(vk, Op::Gemm, m, n, k, nullptr, &why), why);
            line("Vulkan ssmm24 fp32", seasideMs(vk, Op::Ssmm24, m, n, k, nullptr, &why), why);
            line("Vulkan samoyeds 1:2 + 2:4 fp32", seasideMs(vk, Op::Ssmm24, m, n, k, "samoyeds", &why), why);
        }
    }
}

// Skipped rows standing for a backend's checks, with the reason once.
void skipAll(const char *path, const std::string &why) {
    std::printf("  (%s)\n", why.c_str());
    for (const char *what : {"gemm", "ssmm24", "samoyeds", "csr_spmm", "topk", "gemm_f16", "sequence", "refuses"})
        std::printf("| %-10s | %-22s | %-12s | %10s | %8s | skip |\n", what, "all shapes", path, "-", "-");
}
} // namespace

int main() {
    // Neither backend stops the check when it has no device: its rows say skip and why.
    Device *cuda = nullptr;
    std::string cudaWhy;
    if (const auto devices = cudaBackend()->devices(); !devices.empty()) {
        for (Device *d : devices)
            std::printf("cuda device: %s, %d SMs, %.1f GiB, sparse tensor cores: %s\n", d->props().name.c_str(),
                        d->props().computeUnits, double(d->props().memoryBytes) / (1u << 30),
                        d->props().sparseTensorCores ? "yes" : "no");
        cuda = devices.front();
    } else {
        int count = 0;
        const cudaError_t e = cudaGetDeviceCount(&count);
        cudaWhy = std::string("CUDA: no device: ") +
                  (e != cudaSuccess ? cudaGetErrorString(e) : count ? "none of compute capability 7.5 or later" : "no GPU");
        std::printf("%s\n", cudaWhy.c_str());
    }
    Device *vk = nullptr;
    bool vkCpu = false;
    std::string vkWhy = "Vulkan: not built into this check (gpu_check.sh said why)";
#ifdef SEASIDE_GPU_CHECK_VULKAN
    vk = gpucheck::vulkanDevice(&vkWhy, &vkCpu);
    if (!vk)
        vkWhy = "Vulkan: no device: " + vkWhy;
#endif
    if (!vk)
        std::printf("%s\n", vkWhy.c_str());

    std::printf("\n| kernel     | shape                  | path         |       NMSE |    bound | ok   |\n");
    std::printf("|------------|------------------------|--------------|------------|----------|------|\n");
    if (cuda) {
        checkOps(cuda);
        checkTallGrids(cuda);
    } else {
        skipAll("cuda", cudaWhy);
    }
    if (vk) {
        checkOps(vk);
        if (vkCpu) // a minute there; tst_backend_ops runs it on lavapipe in CI
            skipRow("tall grid", "8.4 M rows", "vulkan", vk->props().name + " is a CPU implementation: tall grids run in CI's tst_backend_ops");
        else
            checkTallGrids(vk);
    } else {
        skipAll("vulkan", vkWhy);
    }
    bench(cuda, cudaWhy, vk, vkCpu);
    benchRouter(cuda, vk);
    std::printf("\n%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
