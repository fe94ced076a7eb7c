#include "backends/layers.h"

#include "kernels/router.h"
#include "kernels/samoyeds.h"

#include <initializer_list>
#include <limits>
#include <numeric>

namespace seaside::backends {

namespace {

Expected<std::unique_ptr<Buffer>> uploaded(Device &d, const void *data, std::size_t bytes) {
    // a zero-sized buffer is legal in the interface but not on every API: keep one word
    auto b = d.allocate(std::max<std::size_t>(bytes, 4));
    if (!b.ok())
        return b.error();
    if (bytes)
        if (Status s = (*b)->upload(data, bytes); !s)
            return makeError(s.message());
    return std::move(*b);
}

template <typename T> Expected<std::unique_ptr<Buffer>> uploaded(Device &d, const std::vector<T> &v) {
    return uploaded(d, v.data(), v.size() * sizeof(T));
}

// Runs the calls and pairs the device's timings with the calls' labels.
Status runTimed(Device &d, const std::vector<KernelCall> &calls, LayerRun &out) {
    std::vector<double> t;
    if (Status s = d.run(calls, &t); !s)
        return s;
    for (std::size_t i = 0; i < calls.size(); ++i)
        out.calls.push_back({calls[i].label, i < t.size() ? t[i] : 0.0});
    return {};
}

Status download(const Buffer &b, std::vector<float> &y, std::size_t n) {
    y.resize(n);
    return n ? b.download(y.data(), n * sizeof(float)) : Status{};
}

struct GraphBuffers {
    std::unique_ptr<Buffer> rowPtr, colIdx, values, x;
};

// Feature widths a graph layer was given: negative or past 32 bits is an error, not a huge buffer.
Status checkWidths(const char *layer, std::initializer_list<std::pair<const char *, std::int64_t>> widths) {
    for (const auto &[name, v] : widths)
        if (v < 0 || v > std::numeric_limits<std::int32_t>::max())
            return makeError(std::string(layer) + ": " + name + " = " + std::to_string(v) + " is not a feature width");
    return {};
}

Expected<GraphBuffers> uploadGraph(Device &d, const kernels::Csr &a, const float *x, std::int64_t features) {
    if (Status s = kernels::validate(a); !s)
        return makeError(s.message());
    GraphBuffers g;
    auto rp = uploaded(d, a.rowPtr), ci = uploaded(d, a.colIdx), va = uploaded(d, a.values);
    auto xb = uploaded(d, x, std::size_t(a.cols * features) * sizeof(float));
    for (auto *b : {&rp, &ci, &va, &xb})
        if (!b->ok())
            return b->error();
    g.rowPtr = std::move(*rp);
    g.colIdx = std::move(*ci);
    g.values = std::move(*va);
    g.x = std::move(*xb);
    return g;
}

KernelCall aggregateCall(const kernels::Csr &a, GraphBuffers &g, Buffer *y, std::int64_t features, Aggregation how,
                         std::string label) {
    KernelCall c{Op::CsrSpmm, g.rowPtr.get(), g.colIdx.get(), g.values.get(), g.x.get(), y, a.rows, features, a.cols,
                 a.nnz(), std::move(label)};
    c.aggregation = how;
    return c;
}

} // namespace

double LayerRun::deviceSeconds() const {
    return std::accumulate(calls.begin(), calls.end(), 0.0, [](double s, const CallTiming &c) { return s + c.seconds; });
}

namespace {
// The whole format of every expert's weights (kernels::checkShape looks at shapes only): weights
// are uploaded or converted once, and densify trusts the row indices.
Status checkWholeFormat(const kernels::MoeShape &s, const kernels::MoeSamoyedsWeights &w) {
    if (Status st = kernels::checkShape(s, w); !st)
        return st;
    for (std::int64_t e = 0; e < s.experts; ++e)
        for (const kernels::Samoyeds *m : {&w.w1[std::size_t(e)], &w.w3[std::size_t(e)], &w.w2[std::size_t(e)]})
            if (Status st = kernels::validate(*m); !st)
                return makeError("expert " + std::to_string(e) + ": " + st.message());
    return {};
}

// The same values as plain 2:4: the rows a block drops become zero groups.
Expected<kernels::Sparse24> plain24(const kernels::Samoyeds &m) {
    return kernels::prune24(kernels::densify(m).data(), m.rows, m.k);
}
} // namespace

Expected<MoeSparse24Weights> toSparse24(const kernels::MoeShape &s, const kernels::MoeSamoyedsWeights &w) {
    if (Status st = checkWholeFormat(s, w); !st)
        return makeError(st.message());
    MoeSparse24Weights out;
    out.router = w.router;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        auto w1 = plain24(w.w1[std::size_t(e)]), w3 = plain24(w.w3[std::size_t(e)]), w2 = plain24(w.w2[std::size_t(e)]);
        for (auto *m : {&w1, &w3, &w2})
            if (!m->ok())
                return makeError("expert " + std::to_string(e) + ": " + m->error().message);
        out.w1.push_back(std::move(*w1));
        out.w3.push_back(std::move(*w3));
        out.w2.push_back(std::move(*w2));
    }
    return out;
}

// The checks both prepare()s share, the router uploaded.
Expected<MoeOnDevice> MoeOnDevice::start(Device &device, const kernels::MoeShape &s, const std::vector<float> &router,
                                         std::size_t experts) {
    if (s.tokens < 0 || s.hidden <= 0 || s.intermediate <= 0 || s.experts <= 0 || s.topK < 1 || s.topK > s.experts)
        return makeError("MoE on " + device.props().name + ": impossible shape (top-" + std::to_string(s.topK) + " of " +
                         std::to_string(s.experts) + " experts)");
    if (router.size() != std::size_t(s.experts * s.hidden) || experts != std::size_t(s.experts))
        return makeError("MoE on " + device.props().name + ": weights do not match " + std::to_string(s.experts) + " experts");
    MoeOnDevice moe;
    moe.m_device = &device;
    moe.m_shape = s;
    auto r = uploaded(device, router);
    if (!r.ok())
        return r.error();
    moe.m_router = std::move(*r);
    return moe;
}

Expected<MoeOnDevice::Matrix> MoeOnDevice::upload(Device &device, const kernels::Sparse24 &w) {
    Matrix out;
    auto v = uploaded(device, w.values), m = uploaded(device, w.meta);
    for (auto *b : {&v, &m})
        if (!b->ok())
            return b->error();
    out.values = std::move(*v);
    out.meta = std::move(*m);
    return out;
}

// The compact matrix and its row indices, where the device runs the call that way; else plain
// 2:4 with the same values.
Expected<MoeOnDevice::Matrix> MoeOnDevice::upload(Device &device, const kernels::Samoyeds &w) {
    auto out = upload(device, w.compact);
    if (!out.ok())
        return out.error();
    auto indices = uploaded(device, w.indices);
    if (!indices.ok())
        return indices.error();
    out->indices = std::move(*indices);
    out->selection = {w.n, w.m, w.v};
    // asked with no tokens: the weights' shape and format are all the device looks at then
    KernelCall probe{Op::Ssmm24, out->values.get(), out->values.get(), out->meta.get(), nullptr, out->values.get(),
                     0, w.rows, w.k, 0, "probe"};
    probe.g = out->indices.get();
    probe.selection = out->selection;
    if (device.supports(probe))
        return out;
    auto plain = plain24(w);
    if (!plain.ok())
        return plain.error();
    return upload(device, *plain);
}

// An Ssmm24 call on one projection's weights (the epilogue is the caller's to set).
KernelCall MoeOnDevice::call(const Matrix &w, Buffer *x, Buffer *rows, Buffer *y, std::int64_t m, std::int64_t n,
                             std::int64_t k, std::string label) {
    KernelCall c{Op::Ssmm24, x, w.values.get(), w.meta.get(), rows, y, m, n, k, 0, std::move(label)};
    c.g = w.indices.get();
    c.selection = w.selection;
    return c;
}

Expected<MoeOnDevice> MoeOnDevice::prepare(Device &device, const kernels::MoeShape &s, const MoeSparse24Weights &w) {
    auto moe = start(device, s, w.router, w.w1.size());
    if (!moe.ok())
        return moe;
    if (w.w3.size() != w.w1.size() || w.w2.size() != w.w1.size())
        return makeError("MoE on " + device.props().name + ": weights do not match " + std::to_string(s.experts) + " experts");
    for (std::int64_t e = 0; e < s.experts; ++e) {
        const auto &w1 = w.w1[std::size_t(e)], &w3 = w.w3[std::size_t(e)], &w2 = w.w2[std::size_t(e)];
        if (w1.rows != s.intermediate || w1.k != s.hidden || w3.rows != s.intermediate || w3.k != s.hidden ||
            w2.rows != s.hidden || w2.k != s.intermediate)
            return makeError("MoE on " + device.props().name + ": expert " + std::to_string(e) + " has weights of the wrong shape");
        auto m1 = upload(device, w1), m3 = upload(device, w3), m2 = upload(device, w2);
        for (auto *m : {&m1, &m3, &m2})
            if (!m->ok())
                return m->error();
        moe->m_experts.push_back({std::move(*m1), std::move(*m3), std::move(*m2)});
    }
    return moe;
}

Expected<MoeOnDevice> MoeOnDevice::prepare(Device &device, const kernels::MoeShape &s, const kernels::MoeSamoyedsWeights &w) {
    if (Status st = checkWholeFormat(s, w); !st)
        return makeError("MoE on " + device.props().name + ": " + st.message());
    auto moe = start(device, s, w.router, w.w1.size());
    if (!moe.ok())
        return moe;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        auto m1 = upload(device, w.w1[std::size_t(e)]), m3 = upload(device, w.w3[std::size_t(e)]),
             m2 = upload(device, w.w2[std::size_t(e)]);
        for (auto *m : {&m1, &m3, &m2})
            if (!m->ok())
                return m->error();
        moe->m_experts.push_back({std::move(*m1), std::move(*m3), std::move(*m2)});
    }
    return moe;
}

std::size_t MoeOnDevice::rowSelectedMatrices() const {
    std::size_t n = 0;
    for (const Expert &e : m_experts)
        for (const Matrix *m : {&e.w1, &e.w3, &e.w2})
            n += m->indices ? 1 : 0;
    return n;
}

namespace {
// `b` holding at least `bytes` (at least a word: a zero-sized buffer is not legal on every API),
// allocated anew only when it is missing or too small.
Status ensure(Device &d, std::unique_ptr<Buffer> &b, std::size_t bytes) {
    bytes = std::max<std::size_t>(bytes, 4);
    if (b && b->size() >= bytes)
        return {};
    b.reset(); // the old one goes first: both need not fit at once
    auto fresh = d.allocate(bytes);
    if (!fresh.ok())
        return makeError(fresh.error().message);
    b = std::move(*fresh);
    return {};
}

// ensure(), then `bytes` of `data` uploaded.
Status ensureUploaded(Device &d, std::unique_ptr<Buffer> &b, const void *data, std::size_t bytes) {
    if (Status s = ensure(d, b, bytes); !s)
        return s;
    return bytes ? b->upload(data, bytes) : Status{};
}
} // namespace

Expected<LayerRun> MoeOnDevice::run(const float *x) {
    const kernels::MoeShape &s = m_shape;
    Device &d = *m_device;
    LayerRun out;
    const std::size_t tokens = std::size_t(s.tokens), picks = tokens * std::size_t(s.topK);
    const std::size_t outBytes = tokens * std::size_t(s.hidden) * sizeof(float);
    for (Status st : {ensureUploaded(d, m_x, x, outBytes), ensure(d, m_logits, tokens * std::size_t(s.experts) * sizeof(float)),
                      ensure(d, m_routing, 2 * picks * 4),
                      ensureUploaded(d, m_y, std::vector<float>(tokens * std::size_t(s.hidden), 0.0f).data(), outBytes)})
        if (!st)
            return makeError(st.message());
    Buffer *xb = m_x.get(), *yb = m_y.get();
    if (Status st = runTimed(d,
                             {{Op::Gemm, xb, m_router.get(), nullptr, nullptr, m_logits.get(), s.tokens, s.experts,
                               s.hidden, 0, "router"},
                              {Op::TopKGates, m_logits.get(), nullptr, nullptr, nullptr, m_routing.get(), s.tokens,
                               s.experts, s.topK, 0, "router.topk"}},
                             out);
        !st)
        return makeError(st.message());

    // the router's choices come back to size each expert's calls
    std::vector<std::uint32_t> ids(picks);
    std::vector<float> gates(picks);
    if (picks) {
        if (Status st = m_routing->download(ids.data(), picks * 4); !st)
            return makeError(st.message());
        if (Status st = m_routing->download(gates.data(), picks * 4, picks * 4); !st)
            return makeError(st.message());
    }
    std::vector<std::vector<std::uint32_t>> tokenList(std::size_t(s.experts));
    std::vector<std::vector<float>> gateList(std::size_t(s.experts));
    if (Status st = kernels::checkChoices(ids.data(), s.tokens, s.experts, s.topK); !st)
        return makeError("MoE on " + d.props().name + ": " + st.message());
    for (std::size_t i = 0; i < picks; ++i) {
        tokenList[ids[i]].push_back(std::uint32_t(i / std::size_t(s.topK)));
        gateList[ids[i]].push_back(gates[i]);
    }

    std::vector<KernelCall> calls;
    for (std::int64_t e = 0; e < s.experts; ++e) {
        const auto &list = tokenList[std::size_t(e)];
        if (list.empty())
            continue; // an expert no token chose costs nothing
        const std::int64_t count = std::int64_t(list.size());
        Expert &ex = m_experts[std::size_t(e)];
        for (Status st : {ensureUploaded(d, ex.rows, list.data(), list.size() * 4),
                          ensureUploaded(d, ex.gates, gateList[std::size_t(e)].data(), list.size() * 4),
                          ensure(d, ex.hidden, std::size_t(count * s.intermediate) * sizeof(float))})
            if (!st)
                return makeError(st.message());
        Buffer *rows = ex.rows.get(), *h = ex.hidden.get();
        const std::string name = "expert" + std::to_string(e);
        calls.push_back(call(ex.w1, xb, rows, h, count, s.intermediate, s.hidden, name + ".w1"));
        KernelCall w3 = call(ex.w3, xb, rows, h, count, s.intermediate, s.hidden, name + ".w3");
        w3.epilogue = Epilogue::SiluMul; // h = silu(x.w1) * (x.w3), in place
        w3.e = h;
        calls.push_back(w3);
        KernelCall w2 = call(ex.w2, h, nullptr, yb, count, s.hidden, s.intermediate, name + ".w2");
        w2.epilogue = Epilogue::GateScatterAdd; // y[token] += gate * (h.w2)
        w2.e = ex.gates.get();
        w2.f = rows;
        w2.yRows = s.tokens;
        calls.push_back(w2);
    }
    if (Status st = runTimed(d, calls, out); !st)
        return makeError(st.message());
    if (Status st = download(*yb, out.y, tokens * std::size_t(s.hidden)); !st)
        return makeError(st.message());
    return out;
}

Expected<LayerRun> runAggregate(Device &device, const kernels::Csr &a, const float *x, std::int64_t features,
                                Aggregation how) {
    if (Status s = checkWidths("aggregation", {{"features", features}}); !s)
        return makeError(s.message());
    auto g = uploadGraph(device, a, x, features);
    if (!g.ok())
        return g.error();
    auto y = device.allocate(std::max<std::size_t>(4, std::size_t(a.rows * features) * sizeof(float)));
    if (!y.ok())
        return y.error();
    LayerRun out;
    if (Status s = runTimed(device, {aggregateCall(a, *g, y->get(), features, how, "aggregate")}, out); !s)
        return makeError(s.message());
    if (Status s = download(**y, out.y, std::size_t(a.rows * features)); !s)
        return makeError(s.message());
    return out;
}

Expected<LayerRun> runGcn(Device &device, const kernels::Csr &ahat, const float *x, std::int64_t fIn, const float *w,
                          std::int64_t fOut) {
    if (Status s = checkWidths("GCN", {{"fIn", fIn}, {"fOut", fOut}}); !s)
        return makeError(s.message());
    auto g = uploadGraph(device, ahat, x, fIn);
    auto wb = uploaded(device, w, std::size_t(fOut * fIn) * sizeof(float));
    auto agg = device.allocate(std::max<std::size_t>(4, std::size_t(ahat.rows * fIn) * sizeof(float)));
    auto y = device.allocate(std::max<std::size_t>(4, std::size_t(ahat.rows * fOut) * sizeof(float)));
    if (!g.ok())
        return g.error();
    for (auto *b : {&wb, &agg, &y})
        if (!b->ok())
            return b->error();
    LayerRun out;
    const std::vector<KernelCall> calls = {
        aggregateCall(ahat, *g, agg->get(), fIn, Aggregation::Sum, "gcn.aggregate"),
        {Op::Gemm, agg->get(), wb->get(), nullptr, nullptr, y->get(), ahat.rows, fOut, fIn, 0, "gcn.update"}};
    if (Status s = runTimed(device, calls, out); !s)
        return makeError(s.message());
    if (Status s = download(**y, out.y, std::size_t(ahat.rows * fOut)); !s)
        return makeError(s.message());
    return out;
}

Expected<LayerRun> runSage(Device &device, const kernels::Csr &a, const float *x, std::int64_t fIn, const float *wSelf,
                           const float *wNeigh, std::int64_t fOut) {
    if (Status s = checkWidths("GraphSAGE", {{"fIn", fIn}, {"fOut", fOut}}); !s)
        return makeError(s.message());
    auto g = uploadGraph(device, a, x, fIn);
    auto ws = uploaded(device, wSelf, std::size_t(fOut * fIn) * sizeof(float));
    auto wn = uploaded(device, wNeigh, std::size_t(fOut * fIn) * sizeof(float));
    auto mean = device.allocate(std::max<std::size_t>(4, std::size_t(a.rows * fIn) * sizeof(float)));
    auto y = device.allocate(std::max<std::size_t>(4, std::size_t(a.rows * fOut) * sizeof(float)));
    if (!g.ok())
        return g.error();
    for (auto *b : {&ws, &wn, &mean, &y})
        if (!b->ok())
            return b->error();
    KernelCall neigh{Op::Gemm, mean->get(), wn->get(), nullptr, nullptr, y->get(), a.rows, fOut, fIn, 0, "sage.neighbours"};
    neigh.accumulate = true;
    LayerRun out;
    const std::vector<KernelCall> calls = {
        aggregateCall(a, *g, mean->get(), fIn, Aggregation::Mean, "sage.mean"),
        {Op::Gemm, g->x.get(), ws->get(), nullptr, nullptr, y->get(), a.rows, fOut, fIn, 0, "sage.self"}, neigh};
    if (Status s = runTimed(device, calls, out); !s)
        return makeError(s.message());
    if (Status s = download(**y, out.y, std::size_t(a.rows * fOut)); !s)
        return makeError(s.message());
    return out;
}

} // namespace seaside::backends
