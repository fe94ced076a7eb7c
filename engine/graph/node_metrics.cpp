#include "graph/node_metrics.h"

#include "graph/shape_inference.h"

#include <numeric>

namespace seaside::graph {

NodeMetrics &NodeMetrics::operator+=(const NodeMetrics &o) {
    params += o.params;
    macs += o.macs;
    flops += o.flops;
    bytesRead += o.bytesRead;
    bytesWritten += o.bytesWritten;
    weightBytes += o.weightBytes;
    stateBytes += o.stateBytes;
    return *this;
}

NodeMetrics NodeMetrics::scaled(double k) const {
    NodeMetrics m = *this;
    m.params *= k;
    m.macs *= k;
    m.flops *= k;
    m.bytesRead *= k;
    m.bytesWritten *= k;
    m.weightBytes *= k;
    m.stateBytes *= k;
    return m;
}

namespace {

double product(const std::vector<std::int64_t> &v, std::size_t from = 0) {
    double p = 1;
    for (std::size_t i = from; i < v.size(); ++i)
        p *= double(v[i]);
    return p;
}

double lastDim(const TensorDesc &t) { return t.shape.empty() ? 1.0 : double(t.shape.back()); }

double activationFlopsPerElement(const std::string &fn) {
    if (fn == "gelu")
        return 8;
    if (fn == "silu" || fn == "swish")
        return 5;
    if (fn == "sigmoid" || fn == "tanh")
        return 4;
    return 1; // relu, leaky_relu, clip
}

// The kinds whose work is all in their weights' matrix products (2 FLOPs per MAC).
NodeMetrics weightedWork(double params, double macs) {
    NodeMetrics m;
    m.params = params;
    m.macs = macs;
    m.flops = 2 * macs;
    return m;
}

NodeMetrics gnnMetrics(const Node &n, const TensorDesc &x, const TensorDesc &out) {
    const double nodes = x.shape.empty() ? 0 : double(x.shape[0]);
    const double edges = double(n.attrs.getInt("num_edges"));
    const double f = lastDim(x);
    const double h = double(n.attrs.getInt("heads", 1));
    const double fo = double(n.attrs.getInt("out_features", std::int64_t(lastDim(out))));
    const std::string variant = n.attrs.getString("variant", "gcn");
    if (variant == "sage") // W_self x + W_neigh mean(neighbours)
        return weightedWork(2 * f * fo + fo, 2 * nodes * f * fo + edges * f);
    if (variant == "gin") // MLP((1 + eps) x + sum(neighbours)), two layers
        return weightedWork(f * fo + fo + fo * fo + fo, (edges + nodes) * f + nodes * (f * fo + fo * fo));
    if (variant == "gat") // per head: W x, two attention vectors, weighted sum over edges
        return weightedWork(f * h * fo + 2 * h * fo + h * fo,
                            nodes * f * h * fo + nodes * 2 * h * fo + edges * h * fo);
    // GCN: A_hat (X W), A_hat = A + I with symmetric normalisation, transform first (as PyG does)
    return weightedWork(f * fo + fo, nodes * f * fo + (edges + nodes) * fo);
}

} // namespace

NodeMetrics nodeMetrics(const Node &n, const std::vector<TensorDesc> &in) {
    static const TensorDesc kNone;
    const TensorDesc &x = in.empty() ? kNone : in[0];
    const TensorDesc &out = n.outputs.empty() ? kNone : n.outputs[0];
    const double outElems = double(out.elements());
    const double inElems = double(x.elements());
    NodeMetrics m;

    switch (n.kind) {
    case OpKind::Input:
    case OpKind::Output:
        return m;
    case OpKind::Block: {
        if (n.body)
            m = graphMetrics(*n.body).scaled(double(n.repeat));
        return m;
    }
    case OpKind::Constant:
        m.params = outElems;
        break;
    case OpKind::Linear: {
        const double k = lastDim(x), nOut = double(n.attrs.getInt("out_features"));
        const double rows = k > 0 ? inElems / k : 0;
        const bool bias = n.attrs.getInt("bias", 1) != 0;
        m = weightedWork(k * nOut + (bias ? nOut : 0), rows * k * nOut);
        if (bias)
            m.flops += rows * nOut;
        break;
    }
    case OpKind::MatMul: { // K: A's last dimension, or the one before it when Gemm transposes A
        const auto a = matmulOperand(n, x.shape, 0);
        m = weightedWork(0, outElems * (a.empty() ? 1.0 : double(a.back())));
        break;
    }
    case OpKind::Conv: {
        const double c = x.shape.size() > 1 ? double(x.shape[1]) : 0;
        const double groups = double(n.attrs.getInt("groups", 1));
        const double cout = double(n.attrs.getInt("out_channels"));
        const double kernel = product(n.attrs.getInts("kernel"));
        const bool bias = n.attrs.getInt("bias", 1) != 0;
        m = weightedWork(cout * (c / groups) * kernel + (bias ? cout : 0), outElems * (c / groups) * kernel);
        if (bias)
            m.flops += outElems;
        break;
    }
    case OpKind::Pool: {
        const double window = n.attrs.getInt("global", 0) ? product(x.shape, 2) : product(n.attrs.getInts("kernel"));
        m.flops = outElems * window;
        break;
    }
    case OpKind::BatchNorm: // folded to a per-channel scale and shift
        m.params = x.shape.size() > 1 ? 2.0 * double(x.shape[1]) : 0;
        m.flops = 2 * inElems;
        break;
    case OpKind::LayerNorm: // mean, variance, normalise, scale, shift
        m.params = 2 * lastDim(x);
        m.flops = 5 * inElems;
        break;
    case OpKind::Activation:
        m.flops = outElems * activationFlopsPerElement(n.attrs.getString("function", "relu"));
        break;
    case OpKind::Elementwise:
        m.flops = outElems * double(std::max<std::size_t>(1, in.size() - (in.size() > 1 ? 1 : 0)));
        break;
    case OpKind::Softmax: // max, subtract, exp, sum, divide
        m.flops = 5 * outElems;
        break;
    case OpKind::Attention: {
        const double b = x.shape.size() == 3 ? double(x.shape[0]) : 1;
        const double s = x.shape.size() >= 2 ? double(x.shape[x.shape.size() - 2]) : 1;
        const double d = lastDim(x);
        const double h = double(n.attrs.getInt("heads", 1));
        const double kvh = double(n.attrs.getInt("kv_heads", std::int64_t(h)));
        const double hd = double(n.attrs.getInt("head_dim", std::int64_t(d / h)));
        const double kvLen = double(n.attrs.getInt("kv_len", std::int64_t(s)));
        const bool bias = n.attrs.getInt("bias", 0) != 0;
        const double projParams = d * hd * (2 * h + 2 * kvh);
        const double biasParams = bias ? (h * hd + 2 * kvh * hd + d) : 0;
        m = weightedWork(projParams + biasParams, b * s * projParams + 2 * b * h * s * kvLen * hd);
        m.flops += 5 * b * h * s * kvLen; // softmax over the scores
        m.stateBytes = 2 * b * kvLen * kvh * hd * dtypeBytes(x.dtype);
        break;
    }
    case OpKind::Embedding:
        m.params = double(n.attrs.getInt("vocab")) * double(n.attrs.getInt("dim"));
        break;
    case OpKind::MoE: {
        const double hid = double(n.attrs.getInt("hidden", std::int64_t(lastDim(x))));
        const double inter = double(n.attrs.getInt("intermediate"));
        const double e = double(n.attrs.getInt("experts"));
        const double k = double(n.attrs.getInt("top_k", 1));
        const double es = double(n.attrs.getInt("shared_experts", 0));
        const double sharedInter = double(n.attrs.getInt("shared_intermediate", std::int64_t(inter)));
        const double tokens = hid > 0 ? inElems / hid : 0;
        // gated FFN per expert: w1 and w3 (hidden -> intermediate), w2 (intermediate -> hidden)
        m = weightedWork(e * 3 * hid * inter + es * 3 * hid * sharedInter + hid * e,
                         tokens * (hid * e + k * 3 * hid * inter + es * 3 * hid * sharedInter));
        break;
    }
    case OpKind::GnnConv:
        m = gnnMetrics(n, x, out);
        m.bytesRead += double(n.attrs.getInt("num_edges")) * 2 * 8; // COO/CSR indices, int64
        break;
    case OpKind::Reshape: // a view: nothing moves
        return m;
    case OpKind::Concat:
    case OpKind::Transpose:
    case OpKind::Custom:
        m.flops = n.attrs.getDouble("flops", 0);
        break;
    }

    // An explicit parameter count (ONNX initializers the node consumes) is exact: it wins.
    if (n.attrs.has("params"))
        m.params = n.attrs.getDouble("params");
    const DType wtype = dtypeFromName(n.attrs.getString("weight_dtype")).value_or(x.dtype);
    m.weightBytes = m.params * dtypeBytes(wtype);
    for (const TensorDesc &t : in)
        m.bytesRead += t.bytes();
    m.bytesRead += m.weightBytes;
    for (const TensorDesc &t : n.outputs)
        m.bytesWritten += t.bytes();
    return m;
}

NodeMetrics nodeMetrics(const Graph &g, const Node &n) { return nodeMetrics(n, g.inputTensors(n.id)); }

NodeMetrics graphMetrics(const Graph &g) {
    NodeMetrics total;
    for (const Node &n : g.nodes())
        total += nodeMetrics(g, n);
    return total;
}

} // namespace seaside::graph
