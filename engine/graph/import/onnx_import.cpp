#include "graph/import/onnx_import.h"

#include "graph/import/isolated_shape_inference.h"
#include "graph/shape_inference.h"
#include "graph/import/onnx_op_map.h"

#include <algorithm>
#include <fstream>
#include <onnx/onnx_pb.h>
#include <set>
#include <sstream>
#include <unordered_map>

namespace seaside::graph {

namespace {

DType dtypeFromOnnx(int elemType) {
    switch (elemType) {
    case onnx::TensorProto::FLOAT16:
        return DType::F16;
    case onnx::TensorProto::BFLOAT16:
        return DType::BF16;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
        return DType::I8;
    default: // float, double and the wider integer types: Seaside models them as 4-byte values
        return DType::F32;
    }
}

TensorDesc tensorFromValueInfo(const onnx::ValueInfoProto &v) {
    TensorDesc t;
    if (!v.type().has_tensor_type())
        return TensorDesc{{-1}, DType::F32};
    const auto &tt = v.type().tensor_type();
    t.dtype = dtypeFromOnnx(tt.elem_type());
    if (!tt.has_shape())
        return TensorDesc{{-1}, t.dtype};
    for (const auto &d : tt.shape().dim())
        t.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return t;
}

// A weight's element count, or an error naming the tensor when a dimension is negative or the
// count would not fit in 63 bits (a malformed file, not a model).
Expected<std::int64_t> elementsOf(const onnx::TensorProto &t) {
    std::int64_t n = 1;
    for (auto d : t.dims()) {
        if (d < 0)
            return makeError("tensor '" + t.name() + "' has a negative dimension " + std::to_string(d));
        if (__builtin_mul_overflow(n, d, &n))
            return makeError("tensor '" + t.name() + "' has more elements than fit in 63 bits");
    }
    return n;
}

std::vector<std::int64_t> intsAttr(const onnx::NodeProto &n, const std::string &name) {
    for (const auto &a : n.attribute())
        if (a.name() == name)
            return {a.ints().begin(), a.ints().end()};
    return {};
}

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, const std::string &name) {
    for (const auto &a : n.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

struct Importer {
    onnx::ModelProto &model;
    OnnxImport result;
    std::unordered_map<std::string, TensorDesc> types;                  // value name -> type
    std::unordered_map<std::string, const onnx::TensorProto *> weights; // initializers
    std::unordered_map<std::string, std::pair<NodeId, int>> producers;  // value -> node, port
    std::set<std::string> counted;                                      // initializers already counted
    std::set<std::string> names;

    std::string uniqueName(std::string base) {
        if (base.empty())
            base = "node";
        std::string name = base;
        for (int i = 2; names.count(name); ++i)
            name = base + "_" + std::to_string(i);
        names.insert(name);
        return name;
    }

    std::vector<std::int64_t> weightDims(const onnx::NodeProto &n, int input) {
        if (n.input_size() <= input)
            return {};
        if (auto it = weights.find(n.input(input)); it != weights.end())
            return {it->second->dims().begin(), it->second->dims().end()};
        if (auto it = types.find(n.input(input)); it != types.end())
            return it->second.shape;
        return {};
    }

    Status mapAttributes(const onnx::NodeProto &on, Node &n);
    Status build();
};

// Sets the attributes Seaside's shape rules and formulas read, from the ONNX node; an error for
// attributes whose lengths disagree with the kernel's rank.
Status Importer::mapAttributes(const onnx::NodeProto &on, Node &n) {
    const std::string &op = on.op_type();
    switch (n.kind) {
    case OpKind::MatMul: // Gemm on two activations: A' B' with either transposed
        if (op == "Gemm")
            for (const char *name : {"transA", "transB"})
                if (const auto *t = findAttr(on, name); t && t->i() != 0)
                    n.attrs.set(name == std::string("transA") ? "trans_a" : "trans_b", std::int64_t(1));
        break;
    case OpKind::Linear: {
        const auto w = weightDims(on, 1);
        const auto *tb = findAttr(on, "transB");
        const bool transB = tb && tb->i() != 0;
        if (w.size() == 2)
            n.attrs.set("out_features", transB ? w[0] : w[1]);
        n.attrs.set("bias", std::int64_t(on.input_size() > 2 && !on.input(2).empty()));
        break;
    }
    case OpKind::Conv: {
        const auto w = weightDims(on, op == "QLinearConv" ? 3 : 1);
        if (w.size() >= 3) {
            n.attrs.set("out_channels", w[0]);
            auto kernel = intsAttr(on, "kernel_shape");
            if (kernel.empty())
                kernel.assign(w.begin() + 2, w.end());
            n.attrs.set("kernel", kernel);
        }
        const auto *g = findAttr(on, "group");
        n.attrs.set("groups", g ? g->i() : std::int64_t(1));
        n.attrs.set("bias", std::int64_t(on.input_size() > 2 && op == "Conv"));
        [[fallthrough]];
    }
    case OpKind::Pool: {
        if (op.rfind("Global", 0) == 0) {
            n.attrs.set("global", std::int64_t(1));
            n.attrs.set("mode", std::string(op == "GlobalMaxPool" ? "max" : "avg"));
            break;
        }
        if (n.kind == OpKind::Pool) {
            n.attrs.set("mode", std::string(op == "MaxPool" ? "max" : "avg"));
            n.attrs.set("kernel", intsAttr(on, "kernel_shape"));
            if (const auto *ceil = findAttr(on, "ceil_mode"); ceil && ceil->i() != 0)
                n.attrs.set("ceil_mode", std::int64_t(1));
        }
        const auto kernel = n.attrs.getInts("kernel");
        const std::size_t rank = kernel.size();
        auto stride = intsAttr(on, "strides");
        auto dil = intsAttr(on, "dilations");
        auto pads = intsAttr(on, "pads");
        if (stride.empty())
            stride.assign(rank, 1);
        if (dil.empty())
            dil.assign(rank, 1);
        if (pads.empty())
            pads.assign(2 * rank, 0);
        if (stride.size() != rank || dil.size() != rank || pads.size() != 2 * rank)
            return makeError("node '" + n.name + "' (" + op + "): a kernel of rank " + std::to_string(rank) + " needs " +
                             std::to_string(rank) + " strides and dilations and " + std::to_string(2 * rank) +
                             " pads; it has " + std::to_string(stride.size()) + ", " + std::to_string(dil.size()) +
                             " and " + std::to_string(pads.size()));
        // SAME padding: make the pads explicit from ONNX's inferred output, so the design
        // re-infers the same shapes when edited or re-imported from JSON.
        const auto *autoPad = findAttr(on, "auto_pad");
        if (autoPad && autoPad->s().rfind("SAME", 0) == 0 && on.input_size() > 0 && on.output_size() > 0) {
            const auto &in = types[on.input(0)].shape;
            const auto &out = types[on.output(0)].shape;
            for (std::size_t i = 0; i < rank && in.size() == rank + 2 && out.size() == rank + 2; ++i) {
                const auto total = std::max<std::int64_t>(
                    0, (out[i + 2] - 1) * stride[i] + dil[i] * (kernel[i] - 1) + 1 - in[i + 2]);
                const auto small = total / 2;
                pads[i] = autoPad->s() == "SAME_UPPER" ? small : total - small;
                pads[i + rank] = total - pads[i];
            }
        }
        n.attrs.set("stride", stride);
        n.attrs.set("dilation", dil);
        n.attrs.set("pads", pads);
        break;
    }
    case OpKind::Activation:
        n.attrs.set("function", lower(op));
        break;
    case OpKind::Softmax:
    case OpKind::Concat:
        if (const auto *a = findAttr(on, "axis"))
            n.attrs.set("axis", a->i());
        break;
    case OpKind::Transpose:
        if (const auto *a = findAttr(on, "perm"))
            n.attrs.set("perm", std::vector<std::int64_t>(a->ints().begin(), a->ints().end()));
        break;
    case OpKind::Reshape:
        if (on.output_size() > 0 && types.count(on.output(0)) && types[on.output(0)].known())
            n.attrs.set("shape", types[on.output(0)].shape);
        break;
    default:
        break;
    }
    return {};
}

Status Importer::build() {
    const auto &g = model.graph();
    for (const auto &init : g.initializer())
        weights[init.name()] = &init;
    for (const auto &v : g.input())
        types[v.name()] = tensorFromValueInfo(v);
    for (const auto &v : g.value_info())
        types[v.name()] = tensorFromValueInfo(v);
    for (const auto &v : g.output())
        types[v.name()] = tensorFromValueInfo(v);

    Graph &graph = result.graph;
    for (const auto &v : g.input()) {
        if (weights.count(v.name()))
            continue; // IR < 4 lists initializers among the inputs
        Node n;
        n.kind = OpKind::Input;
        n.name = uniqueName(v.name());
        n.outputs = {types[v.name()]};
        producers[v.name()] = {graph.addNode(std::move(n)), 0};
    }
    std::set<std::string> customReported;
    std::vector<NodeId> nodeIds; // ONNX node i -> its node
    for (int i = 0; i < g.node_size(); ++i) {
        const auto &on = g.node(i);
        Node n; // control flow was refused before shape inference
        auto kind = onnxOpKind(on.op_type());
        n.kind = kind.value_or(OpKind::Custom);
        // Gemm and MatMul on two activations are plain matrix products; on a weight, a layer
        // (unless Gemm transposes its activation: a layer reads rows of x, so that is a product).
        const auto *transA = findAttr(on, "transA");
        if (n.kind == OpKind::Linear && (on.input_size() < 2 || !weights.count(on.input(1)) || (transA && transA->i() != 0)))
            n.kind = OpKind::MatMul;
        n.opType = on.domain().empty() || on.domain() == "ai.onnx" ? on.op_type() : on.domain() + "::" + on.op_type();
        n.name = uniqueName(on.name().empty() ? on.op_type() + "_" + std::to_string(i) : on.name());
        if (!kind && customReported.insert(n.opType).second)
            result.warnings.push_back("operator '" + n.opType + "' (first at node '" + n.name +
                                      "') is not modelled; kept as a custom node with no compute cost");
        for (const auto &out : on.output())
            n.outputs.push_back(types.count(out) ? types[out] : TensorDesc{{-1}, DType::F32});
        std::int64_t params = 0;
        const auto addParams = [&](const onnx::TensorProto &t) -> Status {
            const auto count = elementsOf(t);
            if (!count)
                return makeError("node '" + n.name + "': " + count.error().message);
            if (__builtin_add_overflow(params, *count, &params))
                return makeError("node '" + n.name + "': its weights have more elements than fit in 63 bits");
            return {};
        };
        DType weightType = DType::F32;
        for (const auto &in : on.input())
            if (auto it = weights.find(in); it != weights.end() && counted.insert(in).second) {
                if (Status st = addParams(*it->second); !st)
                    return st;
                weightType = dtypeFromOnnx(it->second->data_type());
            }
        if (n.kind == OpKind::Constant)
            if (const auto *v = findAttr(on, "value"); v && v->has_t())
                if (Status st = addParams(v->t()); !st)
                    return st;
        n.attrs.set("params", params);
        if (params > 0)
            n.attrs.set("weight_dtype", std::string(dtypeName(weightType)));
        if (Status st = mapAttributes(on, n); !st)
            return st;
        const NodeId id = graph.addNode(std::move(n));
        nodeIds.push_back(id);
        for (int p = 0; p < on.output_size(); ++p)
            producers[on.output(p)] = {id, p};
    }
    // Edges after every producer is known, so that a node consuming a later node's output (a
    // cycle, which ONNX forbids) shows up as a cycle rather than a dangling input.
    for (int i = 0; i < g.node_size(); ++i) {
        const auto &on = g.node(i);
        const NodeId id = nodeIds[std::size_t(i)];
        for (int p = 0; p < on.input_size(); ++p) {
            auto it = producers.find(on.input(p));
            if (on.input(p).empty() || it == producers.end())
                continue; // an initializer or an optional input left out
            if (Status s = graph.addEdge({it->second.first, it->second.second, id, p}); !s)
                return s;
        }
    }
    for (const auto &v : g.output()) {
        auto it = producers.find(v.name());
        if (it == producers.end())
            return makeError("graph output '" + v.name() + "' is produced by no node");
        Node n;
        n.kind = OpKind::Output;
        n.name = uniqueName("output:" + v.name());
        n.outputs = {types[v.name()]};
        const NodeId id = graph.addNode(std::move(n));
        if (Status s = graph.addEdge({it->second.first, it->second.second, id, 0}); !s)
            return s;
    }
    if (auto order = graph.topologicalOrder(); !order)
        return order.error();
    return {};
}

// Applies --input overrides, then refuses any graph input that still has an unknown dimension.
Status fixInputShapes(onnx::ModelProto &model, const OnnxImportOptions &opts) {
    auto *g = model.mutable_graph();
    std::set<std::string> inits;
    for (const auto &i : g->initializer())
        inits.insert(i.name());
    std::set<std::string> used;
    std::string available;
    for (auto &v : *g->mutable_input()) {
        if (inits.count(v.name()))
            continue;
        available += (available.empty() ? "" : ", ") + v.name();
        auto *tt = v.mutable_type()->mutable_tensor_type();
        if (auto it = opts.inputShapes.find(v.name()); it != opts.inputShapes.end()) {
            used.insert(v.name());
            auto *shape = tt->mutable_shape();
            shape->clear_dim();
            for (auto d : it->second)
                shape->add_dim()->set_dim_value(d);
            continue;
        }
        if (!tt->has_shape())
            return makeError("input '" + v.name() + "' has no shape; give it with --input " + v.name() + "=d0,d1,...");
        for (int d = 0; d < tt->shape().dim_size(); ++d) {
            const auto &dim = tt->shape().dim(d);
            if (!dim.has_dim_value() || dim.dim_value() <= 0)
                return makeError("input '" + v.name() + "' has a dynamic dimension " + std::to_string(d) +
                                 (dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : std::string()) +
                                 "; give its shape with --input " + v.name() + "=d0,d1,...");
        }
    }
    for (const auto &[name, shape] : opts.inputShapes)
        if (!used.count(name))
            return makeError("--input names '" + name + "', but the model's inputs are: " + available);
    return {};
}

} // namespace

Expected<std::pair<std::string, std::vector<std::int64_t>>> parseInputShape(const std::string &spec) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
        return makeError("--input expects NAME=d0,d1,..., got '" + spec + "'");
    std::vector<std::int64_t> dims;
    std::stringstream ss(spec.substr(eq + 1));
    std::string item;
    while (std::getline(ss, item, ',')) {
        char *end = nullptr;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v <= 0)
            return makeError("--input " + spec + ": dimension '" + item + "' is not a positive integer");
        dims.push_back(v);
    }
    if (dims.empty())
        return makeError("--input " + spec + ": no dimensions given");
    return std::make_pair(spec.substr(0, eq), dims);
}

Expected<OnnxImport> importOnnxModel(onnx::ModelProto model, const OnnxImportOptions &opts) {
    if (!model.has_graph())
        return makeError("the model has no graph");
    if (Status s = fixInputShapes(model, opts); !s)
        return makeError(s.message());
    // ONNX 1.12's shape inference dereferences what a malformed model leaves out (a Scan without
    // num_scan_inputs, a node reading a value nothing provides), so both are refused before it
    // runs, with a message naming the node; it runs isolated for what these checks miss. (onnx::checker would catch more, but also refuses models every runtime loads, such as
    // one whose graph has no name.)
    const auto &graph = model.graph();
    std::set<std::string> provided;
    for (const auto &v : graph.input())
        provided.insert(v.name());
    for (const auto &t : graph.initializer())
        provided.insert(t.name());
    for (const auto &on : graph.node())
        provided.insert(on.output().begin(), on.output().end());
    for (int i = 0; i < graph.node_size(); ++i) {
        const auto &on = graph.node(i);
        const std::string name = on.name().empty() ? on.op_type() + std::to_string(i) : on.name();
        if (isOnnxControlFlow(on.op_type()))
            return makeError("node '" + name + "' (" + on.op_type() +
                             ") holds sub-graphs; Seaside does not import control flow yet");
        for (const auto &in : on.input())
            if (!in.empty() && !provided.count(in))
                return makeError("node '" + name + "' (" + on.op_type() + ") reads '" + in +
                                 "', which no graph input, initializer or node provides");
    }
    if (Status s = inferShapesIsolated(model); !s)
        return makeError(s.message());
    Importer imp{model, {}, {}, {}, {}, {}, {}};
    if (Status s = imp.build(); !s)
        return makeError(s.message());
    // ONNX's inference (lenient, so that models every runtime loads still load) lets declared
    // shapes contradict each other; Seaside's rules, which every edit of the design runs, do not.
    // Such a model is refused here, naming the node, rather than imported and never editable.
    Graph check = imp.result.graph;
    if (Status s = inferShapes(check); !s)
        return makeError("the model's shapes contradict each other: " + s.message());
    // The design takes the rules' shapes, as every edit and every re-opening would (they fill in
    // what ONNX left open); where they disagree with what ONNX declared beyond that, say so.
    for (const Node &declared : imp.result.graph.nodes()) {
        const Node &ruled = *check.node(declared.id);
        for (std::size_t o = 0; o < declared.outputs.size() && o < ruled.outputs.size(); ++o) {
            const TensorDesc &a = ruled.outputs[o], &b = declared.outputs[o];
            bool agree = a.dtype == b.dtype && a.shape.size() == b.shape.size();
            for (std::size_t i = 0; agree && i < b.shape.size(); ++i)
                agree = b.shape[i] < 0 || a.shape[i] == b.shape[i];
            if (!agree)
                imp.result.warnings.push_back("node '" + declared.name + "' (" + declared.opType + "): ONNX declares " +
                                              std::string(dtypeName(b.dtype)) + shapeString(b.shape) +
                                              ", Seaside's shape rule gives " + std::string(dtypeName(a.dtype)) + shapeString(a.shape) +
                                              "; Seaside uses its rule");
        }
    }
    imp.result.graph = std::move(check);
    imp.result.metadata["onnx.ir_version"] = std::to_string(model.ir_version());
    std::string opsets;
    for (const auto &o : model.opset_import())
        opsets += (opsets.empty() ? "" : ", ") + (o.domain().empty() ? std::string("ai.onnx") : o.domain()) + ":" +
                  std::to_string(o.version());
    imp.result.metadata["onnx.opsets"] = opsets;
    if (!model.producer_name().empty())
        imp.result.metadata["onnx.producer"] = model.producer_name() + " " + model.producer_version();
    return std::move(imp.result);
}

Expected<OnnxImport> importOnnxFile(const std::string &path, const OnnxImportOptions &opts) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(path + ": cannot open the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    onnx::ModelProto model;
    if (!model.ParseFromString(buffer.str()))
        return makeError(path + ": not a valid ONNX model (the protobuf does not parse; truncated or another format?)");
    auto r = importOnnxModel(std::move(model), opts);
    if (!r)
        return makeError(path + ": " + r.error().message);
    return r;
}

} // namespace seaside::graph
