#include "kernels/moe.h"

#include "kernels/cpu_gemm.h"
#include "kernels/cpu_ssmm24.h"
#include "kernels/router.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace seaside::kernels {

namespace {
// What both kinds of weights share: the layer's sizes, the router, one w1, w3 and w2 an expert.
template <typename Weights> Status checkCommon(const MoeShape &s, const Weights &w) {
    if (s.tokens < 0 || s.hidden <= 0 || s.intermediate <= 0)
        return makeError("MoE: " + std::to_string(s.tokens) + " tokens, hidden " + std::to_string(s.hidden) +
                         ", intermediate " + std::to_string(s.intermediate) + ": sizes must be positive");
    if (s.experts <= 0 || s.topK <= 0 || s.topK > s.experts)
        return makeError("MoE: top-k " + std::to_string(s.topK) + " of " + std::to_string(s.experts) + " experts");
    if (w.router.size() != std::size_t(s.experts * s.hidden))
        return makeError("MoE: router has " + std::to_string(w.router.size()) + " weights, expected experts x hidden");
    const std::size_t experts = std::size_t(s.experts);
    if (w.w1.size() != experts || w.w2.size() != experts || w.w3.size() != experts)
        return makeError("MoE: need w1, w2 and w3 for each of the " + std::to_string(s.experts) + " experts");
    return {};
}
} // namespace

Status checkShape(const MoeShape &s, const MoeDenseWeights &w) {
    if (Status st = checkCommon(s, w); !st)
        return st;
    for (std::int64_t e = 0; e < s.experts; ++e)
        if (w.w1[std::size_t(e)].size() != std::size_t(s.intermediate * s.hidden) ||
            w.w3[std::size_t(e)].size() != std::size_t(s.intermediate * s.hidden) ||
            w.w2[std::size_t(e)].size() != std::size_t(s.hidden * s.intermediate))
            return makeError("MoE: expert " + std::to_string(e) + " has weights of the wrong size");
    return {};
}

Status checkShape(const MoeShape &s, const MoeSamoyedsWeights &w) {
    if (Status st = checkCommon(s, w); !st)
        return st;
    const std::size_t experts = std::size_t(s.experts);
    for (const auto *prepared : {&w.w1Cpu, &w.w3Cpu, &w.w2Cpu})
        if (!prepared->empty() && prepared->size() != experts)
            return makeError("MoE: prepared weights for " + std::to_string(prepared->size()) + " of " +
                             std::to_string(s.experts) + " experts");
    // shapes only, O(1) an expert: checking every metadata word would cost a pass over the weights
    // on every call (see moe.h for who runs validate())
    for (std::size_t e = 0; e < experts; ++e) {
        const struct {
            const Samoyeds &m;
            std::int64_t rows, k;
            const std::vector<cpu::Sparse24Cpu> &prepared;
        } mats[] = {{w.w1[e], s.intermediate, s.hidden, w.w1Cpu},
                    {w.w3[e], s.intermediate, s.hidden, w.w3Cpu},
                    {w.w2[e], s.hidden, s.intermediate, w.w2Cpu}};
        for (const auto &[m, rows, k, prepared] : mats) {
            const bool fits = m.rows == rows && m.k == k && m.n > 0 && m.m >= m.n && m.v > 0 && m.v % 4 == 0 && rows % m.m == 0 &&
                              k % m.v == 0 && m.compact.rows == m.keptRows() && m.compact.k == k &&
                              m.compact.values.size() == std::size_t(m.keptRows() * (k / 2)) &&
                              m.compact.meta.size() == std::size_t(m.keptRows() * m.compact.metaWords()) &&
                              m.indices.size() == std::size_t(k / m.v * m.keptRows()) &&
                              (prepared.empty() || (prepared[e].rows == m.keptRows() && prepared[e].k == k &&
                                                     prepared[e].values.size() == m.compact.values.size() &&
                                                     prepared[e].meta.size() == m.compact.meta.size()));
            if (!fits)
                return makeError("MoE: expert " + std::to_string(e) + " has weights of the wrong shape");
        }
    }
    return {};
}

Expected<Routing> route(const float *x, const MoeShape &s, const std::vector<float> &router) {
    Routing r;
    r.tokens.resize(std::size_t(s.experts));
    r.gates.resize(std::size_t(s.experts));
    std::vector<float> logits(std::size_t(s.tokens * s.experts));
    cpu::gemm(x, router.data(), logits.data(), s.tokens, s.experts, s.hidden);
    std::vector<std::uint32_t> ids(std::size_t(s.tokens * s.topK));
    std::vector<float> gates(ids.size());
    topKGates(logits.data(), s.tokens, s.experts, s.topK, ids.data(), gates.data());
    if (Status st = checkChoices(ids.data(), s.tokens, s.experts, s.topK); !st)
        return makeError("MoE: " + st.message());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        r.tokens[ids[i]].push_back(std::uint32_t(i / std::size_t(s.topK)));
        r.gates[ids[i]].push_back(gates[i]);
    }
    return r;
}

namespace {
// The layers' first step: their weights' shapes checked, then the tokens routed.
template <typename Weights> Expected<Routing> checkedRoute(const float *x, const MoeShape &s, const Weights &w) {
    if (Status st = checkShape(s, w); !st)
        return makeError(st.message());
    return route(x, s, w.router);
}
} // namespace

Expected<MoeSamoyedsWeights> pruneMoe(const MoeShape &s, const MoeDenseWeights &w, int n, int m, int v) {
    if (Status st = checkShape(s, w); !st)
        return makeError(st.message());
    MoeSamoyedsWeights out;
    out.router = w.router;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        const std::size_t i = std::size_t(e);
        const struct {
            const char *name;
            const std::vector<float> &dense;
            std::int64_t rows, cols;
            std::vector<Samoyeds> &to;
            std::vector<cpu::Sparse24Cpu> &prepared;
        } mats[] = {{"w1", w.w1[i], s.intermediate, s.hidden, out.w1, out.w1Cpu},
                    {"w3", w.w3[i], s.intermediate, s.hidden, out.w3, out.w3Cpu},
                    {"w2", w.w2[i], s.hidden, s.intermediate, out.w2, out.w2Cpu}};
        for (const auto &mat : mats) {
            auto pruned = pruneSamoyeds(mat.dense.data(), mat.rows, mat.cols, n, m, v);
            if (!pruned.ok())
                return makeError("MoE: expert " + std::to_string(e) + " " + mat.name + ": " + pruned.error().message);
            mat.to.push_back(std::move(*pruned));
            mat.prepared.push_back(cpu::prepareForCpu(mat.to.back().compact));
        }
    }
    return out;
}

MoeDenseWeights densify(const MoeSamoyedsWeights &w) {
    MoeDenseWeights d;
    d.router = w.router;
    for (std::size_t e = 0; e < w.w1.size(); ++e) {
        d.w1.push_back(densify(w.w1[e]));
        d.w3.push_back(densify(w.w3[e]));
        d.w2.push_back(densify(w.w2[e]));
    }
    return d;
}

Status ref::moe(const float *x, const MoeShape &s, const MoeDenseWeights &w, float *y) {
    const auto routed = checkedRoute(x, s, w);
    if (!routed.ok())
        return routed.error();
    const Routing &r = *routed;
    std::vector<double> out(std::size_t(s.tokens * s.hidden), 0.0), h(std::size_t(s.intermediate));
    for (std::int64_t e = 0; e < s.experts; ++e)
        for (std::size_t j = 0; j < r.tokens[std::size_t(e)].size(); ++j) {
            const std::int64_t t = r.tokens[std::size_t(e)][j];
            const float *xt = x + t * s.hidden;
            for (std::int64_t i = 0; i < s.intermediate; ++i) {
                double a = 0, b = 0;
                for (std::int64_t c = 0; c < s.hidden; ++c) {
                    a += double(w.w1[std::size_t(e)][std::size_t(i * s.hidden + c)]) * xt[c];
                    b += double(w.w3[std::size_t(e)][std::size_t(i * s.hidden + c)]) * xt[c];
                }
                h[std::size_t(i)] = a / (1 + std::exp(-a)) * b;
            }
            for (std::int64_t c = 0; c < s.hidden; ++c) {
                double acc = 0;
                for (std::int64_t i = 0; i < s.intermediate; ++i)
                    acc += double(w.w2[std::size_t(e)][std::size_t(c * s.intermediate + i)]) * h[std::size_t(i)];
                out[std::size_t(t * s.hidden + c)] += r.gates[std::size_t(e)][j] * acc;
            }
        }
    for (std::size_t i = 0; i < out.size(); ++i)
        y[i] = float(out[i]);
    return {};
}

Status cpu::moeDense(const float *x, const MoeShape &s, const MoeDenseWeights &w, float *y) {
    const auto routed = checkedRoute(x, s, w);
    if (!routed.ok())
        return routed.error();
    const Routing &r = *routed;
    std::fill(y, y + s.tokens * s.hidden, 0.0f);
    std::vector<float> xe, h1, h3, ye;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        const auto &tok = r.tokens[std::size_t(e)];
        const std::int64_t n = std::int64_t(tok.size());
        if (n == 0)
            continue;
        xe.resize(std::size_t(n * s.hidden));
        for (std::int64_t j = 0; j < n; ++j)
            std::copy(x + tok[std::size_t(j)] * s.hidden, x + (tok[std::size_t(j)] + 1) * s.hidden, xe.begin() + j * s.hidden);
        h1.resize(std::size_t(n * s.intermediate));
        h3.resize(h1.size());
        ye.resize(std::size_t(n * s.hidden));
        gemm(xe.data(), w.w1[std::size_t(e)].data(), h1.data(), n, s.intermediate, s.hidden);
        gemm(xe.data(), w.w3[std::size_t(e)].data(), h3.data(), n, s.intermediate, s.hidden);
        for (std::size_t i = 0; i < h1.size(); ++i)
            h1[i] = h1[i] / (1.0f + std::exp(-h1[i])) * h3[i];
        gemm(h1.data(), w.w2[std::size_t(e)].data(), ye.data(), n, s.hidden, s.intermediate);
        for (std::int64_t j = 0; j < n; ++j) {
            const float g = r.gates[std::size_t(e)][std::size_t(j)];
            float *dst = y + tok[std::size_t(j)] * s.hidden;
            for (std::int64_t c = 0; c < s.hidden; ++c)
                dst[c] += g * ye[std::size_t(j * s.hidden + c)];
        }
    }
    return {};
}

Status cpu::moeSamoyeds(const float *x, const MoeShape &s, const MoeSamoyedsWeights &w, float *y) {
    const auto routed = checkedRoute(x, s, w);
    if (!routed.ok())
        return routed.error();
    const Routing &r = *routed;
    std::fill(y, y + s.tokens * s.hidden, 0.0f);
    std::vector<float> h1, h;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        const auto &tok = r.tokens[std::size_t(e)];
        const std::int64_t n = std::int64_t(tok.size());
        if (n == 0)
            continue;
        h1.resize(std::size_t(n * s.intermediate));
        h.resize(h1.size());
        // w1 over the expert's tokens, gathered from x into the kernel's packed tiles
        const auto cpuForm = [&](const std::vector<Sparse24Cpu> &v) { return v.size() == w.w1.size() ? &v[std::size_t(e)] : nullptr; };
        ssmmSamoyeds(x, s.hidden, w.w1[std::size_t(e)], tok.data(), n, {h1.data(), s.intermediate}, cpuForm(w.w1Cpu));
        // w3 with SiLU(w1) fused into its epilogue
        SsmmOutput gated{h.data(), s.intermediate, SsmmOutput::Epilogue::SiluMul, h1.data(), s.intermediate};
        ssmmSamoyeds(x, s.hidden, w.w3[std::size_t(e)], tok.data(), n, gated, cpuForm(w.w3Cpu));
        // w2 with the gates fused and a scatter-add back to token order
        SsmmOutput back{y, s.hidden, SsmmOutput::Epilogue::GateScatterAdd, nullptr, 0, r.gates[std::size_t(e)].data(), tok.data()};
        ssmmSamoyeds(h.data(), s.intermediate, w.w2[std::size_t(e)], nullptr, n, back, cpuForm(w.w2Cpu));
    }
    return {};
}

} // namespace seaside::kernels
