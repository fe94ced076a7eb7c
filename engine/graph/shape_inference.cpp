#include "graph/shape_inference.h"

#include <algorithm>
#include <memory>

namespace seaside::graph {

namespace {

using Shape = std::vector<std::int64_t>;
using Result = Expected<std::optional<TensorDesc>>;

Error shapeError(const Node &n, const std::string &what) {
    return makeError("node '" + n.name + "' (" + std::string(opKindName(n.kind)) + "): " + what);
}

// Shape arithmetic on figures from a file: an overflow is an error naming the node, not undefined
// behaviour.
Error overflowError(const Node &n) { return shapeError(n, "its shape arithmetic overflows 64 bits"); }

std::optional<Shape> broadcast(const std::vector<TensorDesc> &in) {
    Shape out;
    for (const TensorDesc &t : in) {
        if (!t.known())
            return std::nullopt;
        if (t.shape.size() > out.size())
            out.insert(out.begin(), t.shape.size() - out.size(), 1);
        for (std::size_t i = 0; i < t.shape.size(); ++i) {
            auto &o = out[out.size() - t.shape.size() + i];
            const auto d = t.shape[i];
            if (o == 1)
                o = d;
            else if (d != 1 && d != o)
                return std::nullopt;
        }
    }
    return out;
}

// Spatial output size of a sliding window (convolution and pooling).
Result windowed(const Node &n, const TensorDesc &x, std::int64_t channels) {
    const std::size_t spatial = x.shape.size() - 2;
    const Shape kernel = n.attrs.getInts("kernel");
    if (kernel.size() != spatial)
        return shapeError(n, "kernel has " + std::to_string(kernel.size()) + " dims for " +
                                 std::to_string(spatial) + " spatial dims of input " + shapeString(x.shape));
    const Shape stride = n.attrs.getInts("stride", Shape(spatial, 1));
    const Shape dilation = n.attrs.getInts("dilation", Shape(spatial, 1));
    const Shape pads = n.attrs.getInts("pads", Shape(2 * spatial, 0)); // begins then ends, as ONNX
    if (stride.size() != spatial || dilation.size() != spatial || pads.size() != 2 * spatial)
        return shapeError(n, "stride, dilation or pads do not match the kernel's rank");
    Shape out{x.shape[0], channels};
    for (std::size_t i = 0; i < spatial; ++i) {
        if (kernel[i] <= 0 || stride[i] <= 0 || dilation[i] <= 0)
            return shapeError(n, "kernel, stride and dilation must be positive");
        std::int64_t span = 0, padded = 0;
        if (__builtin_mul_overflow(dilation[i], kernel[i] - 1, &span) || __builtin_add_overflow(span, 1, &span) ||
            __builtin_add_overflow(x.shape[2 + i], pads[i], &padded) ||
            __builtin_add_overflow(padded, pads[spatial + i], &padded))
            return overflowError(n);
        // ONNX pooling's ceil_mode counts a last, partial window (as ONNX's own shape inference)
        const auto room = padded - span;
        const bool ceil = room >= 0 && n.attrs.getInt("ceil_mode", 0) != 0 && room % stride[i] != 0; // no room + stride: it may overflow
        const auto o = room / stride[i] + (ceil ? 1 : 0) + 1;
        if (room < 0 || o <= 0)
            return shapeError(n, "the window is larger than the padded input " + shapeString(x.shape));
        out.push_back(o);
    }
    return std::optional<TensorDesc>(TensorDesc{out, x.dtype});
}

Result convOutput(const Node &n, const TensorDesc &x) {
    if (x.shape.size() < 3)
        return shapeError(n, "needs an input [N, C, spatial...], got " + shapeString(x.shape));
    const auto groups = n.attrs.getInt("groups", 1);
    const auto cout = n.attrs.getInt("out_channels");
    if (groups <= 0 || cout <= 0)
        return shapeError(n, "out_channels and groups must be positive");
    if (x.shape[1] % groups || cout % groups)
        return shapeError(n, "channels (" + std::to_string(x.shape[1]) + " in, " + std::to_string(cout) +
                                 " out) are not divisible by groups " + std::to_string(groups));
    return windowed(n, x, cout);
}

Result poolOutput(const Node &n, const TensorDesc &x) {
    if (x.shape.size() < 3)
        return shapeError(n, "needs an input [N, C, spatial...], got " + shapeString(x.shape));
    if (n.attrs.getInt("global", 0)) {
        Shape out{x.shape[0], x.shape[1]};
        out.resize(x.shape.size(), 1);
        return std::optional<TensorDesc>(TensorDesc{out, x.dtype});
    }
    return windowed(n, x, x.shape[1]);
}

Result matmulOutput(const Node &n, const TensorDesc &x, const TensorDesc &y) {
    if (x.shape.size() < 2 || y.shape.size() < 2)
        return std::optional<TensorDesc>();
    const Shape a = matmulOperand(n, x.shape, 0), b = matmulOperand(n, y.shape, 1);
    const auto k = a.back(), kb = b[b.size() - 2];
    if (k != kb)
        return shapeError(n, "inner dimensions differ: " + shapeString(a) + " x " + shapeString(b) +
                                 (a != x.shape || b != y.shape ? " (as transposed)" : ""));
    auto batch = broadcast({TensorDesc{Shape(a.begin(), a.end() - 2), x.dtype}, TensorDesc{Shape(b.begin(), b.end() - 2), y.dtype}});
    if (!batch)
        return shapeError(n, "batch dimensions do not broadcast");
    batch->push_back(a[a.size() - 2]);
    batch->push_back(b.back());
    return std::optional<TensorDesc>(TensorDesc{*batch, x.dtype});
}

Result reshapeOutput(const Node &n, const TensorDesc &x) {
    Shape target = n.attrs.getInts("shape");
    if (target.empty())
        return std::optional<TensorDesc>();
    std::int64_t known = 1;
    int inferred = -1;
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] == 0 && i < x.shape.size())
            target[i] = x.shape[i];
        if (target[i] == -1)
            inferred = int(i);
        else if (__builtin_mul_overflow(known, target[i], &known))
            return overflowError(n);
    }
    if (inferred >= 0) {
        if (known <= 0 || x.elements() % known)
            return shapeError(n, "cannot reshape " + shapeString(x.shape) + " to " + shapeString(target));
        target[std::size_t(inferred)] = x.elements() / known;
    } else if (known != x.elements()) {
        return shapeError(n, "reshape changes the element count: " + shapeString(x.shape) + " to " +
                                 shapeString(target));
    }
    return std::optional<TensorDesc>(TensorDesc{target, x.dtype});
}

Result concatOutput(const Node &n, const std::vector<TensorDesc> &in) {
    // an input of unknown shape (a dimension known only at run time): keep what was declared
    if (std::any_of(in.begin(), in.end(), [](const TensorDesc &t) { return !t.known(); }))
        return std::optional<TensorDesc>();
    const TensorDesc &x = in[0];
    auto axis = n.attrs.getInt("axis", 0);
    if (axis < 0)
        axis += std::int64_t(x.shape.size());
    if (axis < 0 || axis >= std::int64_t(x.shape.size()))
        return shapeError(n, "axis out of range for " + shapeString(x.shape));
    Shape out = x.shape;
    for (std::size_t i = 1; i < in.size(); ++i) {
        if (in[i].shape.size() != out.size())
            return shapeError(n, "inputs have different ranks");
        if (__builtin_add_overflow(out[std::size_t(axis)], in[i].shape[std::size_t(axis)], &out[std::size_t(axis)]))
            return overflowError(n);
    }
    return std::optional<TensorDesc>(TensorDesc{out, x.dtype});
}

Result transposeOutput(const Node &n, const TensorDesc &x) {
    Shape perm = n.attrs.getInts("perm");
    if (perm.empty())
        for (auto i = std::int64_t(x.shape.size()) - 1; i >= 0; --i)
            perm.push_back(i);
    if (perm.size() != x.shape.size())
        return shapeError(n, "perm has " + std::to_string(perm.size()) + " entries for a rank-" +
                                 std::to_string(x.shape.size()) + " input");
    Shape out;
    for (auto p : perm) {
        if (p < 0 || p >= std::int64_t(x.shape.size()))
            return shapeError(n, "perm entry out of range");
        out.push_back(x.shape[std::size_t(p)]);
    }
    return std::optional<TensorDesc>(TensorDesc{out, x.dtype});
}

Result lastDimReplaced(const TensorDesc &x, std::int64_t d) {
    Shape out = x.shape;
    if (out.empty())
        return std::optional<TensorDesc>();
    out.back() = d;
    return std::optional<TensorDesc>(TensorDesc{out, x.dtype});
}

} // namespace

Shape matmulOperand(const Node &n, const Shape &s, int input) {
    Shape out = s;
    if (out.size() >= 2 && n.kind == OpKind::MatMul && n.attrs.getInt(input == 0 ? "trans_a" : "trans_b", 0) != 0)
        std::swap(out[out.size() - 1], out[out.size() - 2]);
    return out;
}

Result inferNodeOutput(const Node &n, const std::vector<TensorDesc> &in) {
    const bool haveInput = !in.empty() && in[0].known();
    switch (n.kind) {
    case OpKind::Input:
    case OpKind::Constant:
    case OpKind::Custom:
    case OpKind::Block:
        return std::optional<TensorDesc>();
    default:
        break;
    }
    if (!haveInput)
        return std::optional<TensorDesc>();
    const TensorDesc &x = in[0];
    switch (n.kind) {
    case OpKind::Linear:
        if (n.attrs.getInt("out_features") <= 0)
            return shapeError(n, "out_features must be positive");
        return lastDimReplaced(x, n.attrs.getInt("out_features"));
    case OpKind::MatMul:
        if (in.size() < 2 || !in[1].known())
            return std::optional<TensorDesc>();
        return matmulOutput(n, x, in[1]);
    case OpKind::Conv:
        return convOutput(n, x);
    case OpKind::Pool:
        return poolOutput(n, x);
    case OpKind::Elementwise: {
        // an input of unknown shape (an ONNX dimension only known at run time): keep what was declared
        if (std::any_of(in.begin(), in.end(), [](const TensorDesc &t) { return !t.known(); }))
            return std::optional<TensorDesc>();
        auto b = broadcast(in);
        if (!b)
            return shapeError(n, "input shapes do not broadcast");
        return std::optional<TensorDesc>(TensorDesc{*b, x.dtype});
    }
    case OpKind::Embedding: {
        Shape out = x.shape;
        out.push_back(n.attrs.getInt("dim"));
        const DType t = dtypeFromName(n.attrs.getString("dtype", "fp32")).value_or(DType::F32);
        return std::optional<TensorDesc>(TensorDesc{out, t});
    }
    case OpKind::GnnConv: {
        const auto fo = n.attrs.getInt("out_features");
        if (fo <= 0)
            return shapeError(n, "out_features must be positive");
        const auto heads = n.attrs.getString("variant") == "gat" ? n.attrs.getInt("heads", 1) : 1;
        std::int64_t width = 0;
        if (heads <= 0 || __builtin_mul_overflow(fo, heads, &width))
            return shapeError(n, "heads must be positive, and out_features x heads must fit in 64 bits");
        return lastDimReplaced(x, width);
    }
    case OpKind::Concat:
        return concatOutput(n, in);
    case OpKind::Reshape:
        return reshapeOutput(n, x);
    case OpKind::Transpose:
        return transposeOutput(n, x);
    default: // shape-preserving: output, norms, activations, softmax, attention, MoE
        return std::optional<TensorDesc>(x);
    }
}

namespace {
// A block's body takes what reaches the block: input port i feeds the body's i-th Input node. Where
// those declare something else (the sequence length changed upstream), the block gets a copy of
// its body fed with what arrives, inferred again, so that its layers and its outputs follow. When
// settling (a design just read from a file), every body is inferred again, whatever it declares,
// and keeps its old pointer where nothing changed. Blocks of one call fed alike share one copy.
// An unknown tensor leaves the Input's declaration as it is.
struct Refed {
    const Graph *from;
    std::vector<TensorDesc> inputs;
    std::shared_ptr<const Graph> body;
};
struct Feeding {
    bool settle;
    std::vector<Refed> refed;
};

Status inferShapesIn(Graph &g, Feeding &feeding);

// What a body's Input nodes declare, in order: input port i of its block feeds the i-th.
std::vector<TensorDesc> bodyTakes(const Graph &body) {
    std::vector<TensorDesc> takes;
    for (const Node &b : body.nodes())
        if (b.kind == OpKind::Input)
            takes.push_back(b.outputs.empty() ? TensorDesc{} : b.outputs[0]);
    return takes;
}

Status feedBody(const Graph &g, Node &n, Feeding &feeding) {
    std::vector<TensorDesc> inputs = bodyTakes(*n.body);
    bool changed = false;
    for (const Edge &e : g.inEdges(n.id)) {
        if (std::size_t(e.dstPort) >= inputs.size())
            return makeError("block '" + n.name + "' is fed on input " + std::to_string(e.dstPort) + ", but its body takes " +
                             std::to_string(inputs.size()) + " input(s)");
        const TensorDesc *t = g.edgeTensor(e);
        if (t && t->known() && !(inputs[std::size_t(e.dstPort)] == *t)) {
            inputs[std::size_t(e.dstPort)] = *t;
            changed = true;
        }
    }
    if (!changed && !feeding.settle)
        return {};
    for (const Refed &r : feeding.refed)
        if (r.from == n.body.get() && r.inputs == inputs) {
            n.body = r.body;
            return {};
        }
    auto body = std::make_shared<Graph>(*n.body);
    std::size_t next = 0;
    for (const Node &b : n.body->nodes())
        if (b.kind == OpKind::Input)
            body->node(b.id)->outputs = {inputs[next++]};
    Feeding inner{feeding.settle, {}};
    if (Status s = inferShapesIn(*body, inner); !s)
        return makeError("in block '" + n.name + "': " + s.message());
    std::shared_ptr<const Graph> result = *body == *n.body ? n.body : std::shared_ptr<const Graph>(std::move(body));
    feeding.refed.push_back({n.body.get(), std::move(inputs), result});
    n.body = std::move(result);
    return {};
}

// A repeated block feeds each repetition the one before: its body must give what it takes.
Status checkRepeats(const Node &n) {
    if (n.repeat <= 1)
        return {};
    const std::vector<TensorDesc> takes = bodyTakes(*n.body);
    const std::string repeats = "block '" + n.name + "' repeats " + std::to_string(n.repeat) + " times, but its body ";
    if (takes.size() != n.outputs.size())
        return makeError(repeats + "takes " + std::to_string(takes.size()) + " input(s) and gives " +
                         std::to_string(n.outputs.size()));
    for (std::size_t i = 0; i < takes.size(); ++i)
        if (takes[i].known() && n.outputs[i].known() && takes[i].shape != n.outputs[i].shape)
            return makeError(repeats + "turns " + shapeString(takes[i].shape) + " into " + shapeString(n.outputs[i].shape) +
                             ", which the next repetition cannot take");
    return {};
}

Status inferShapesIn(Graph &g, Feeding &feeding) {
    auto order = g.topologicalOrder();
    if (!order)
        return order.error();
    for (NodeId id : *order) {
        Node &n = *g.node(id);
        if (n.kind == OpKind::Block && n.body) {
            if (Status s = feedBody(g, n, feeding); !s)
                return s;
            // A block's outputs are what its body's Output nodes receive.
            std::vector<TensorDesc> outs;
            for (const Node &b : n.body->nodes())
                if (b.kind == OpKind::Output) {
                    auto t = n.body->inputTensors(b.id);
                    outs.push_back(t.empty() ? TensorDesc{} : t[0]);
                }
            if (!outs.empty())
                n.outputs = outs;
            if (Status s = checkRepeats(n); !s)
                return s;
            continue;
        }
        auto out = inferNodeOutput(n, g.inputTensors(id));
        if (!out)
            return out.error();
        if (*out && (*out)->elements() == kTooManyElements)
            return shapeError(n, "its output " + shapeString((*out)->shape) + " has more elements than fit in 63 bits");
        if (*out) {
            // A node imported from ONNX (it has an op type) keeps the element type ONNX declared:
            // its kind (Cast, Equal, Where, ConvInteger are elementwise, conv...) says how its
            // shape follows, not its type. Other nodes take their type from their input.
            const bool declaredType = !n.opType.empty() && !n.outputs.empty();
            if (declaredType)
                (*out)->dtype = n.outputs[0].dtype;
            if (n.outputs.empty())
                n.outputs.resize(1);
            n.outputs[0] = **out;
        }
    }
    return {};
}
} // namespace

Status inferShapes(Graph &g) {
    Feeding feeding{false, {}};
    return inferShapesIn(g, feeding);
}

Status inferShapesWithBodies(Graph &g) {
    Feeding feeding{true, {}};
    return inferShapesIn(g, feeding);
}

} // namespace seaside::graph
