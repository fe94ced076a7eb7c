#include "cost/layer_context.h"

#include "graph/shape_inference.h"

namespace seaside::cost {

double LayerContext::bytesScale() const {
    const graph::DType declared = inputs.empty() ? dtype : inputs[0].dtype;
    return graph::dtypeBytes(dtype) / graph::dtypeBytes(declared);
}

std::optional<GemmShape> LayerContext::gemm() const {
    using graph::OpKind;
    const graph::TensorDesc *x = inputs.empty() ? nullptr : &inputs[0];
    const graph::TensorDesc *y = node.outputs.empty() ? nullptr : &node.outputs[0];
    if (!x || !y || x->shape.empty() || y->shape.empty())
        return std::nullopt;
    const double k = double(x->shape.back());
    switch (node.kind) {
    case OpKind::Linear:
        return GemmShape{double(y->elements()) / double(y->shape.back()), double(y->shape.back()), k};
    case OpKind::MatMul: // K as the product reads A (Gemm may transpose it)
        return GemmShape{double(y->elements()) / double(y->shape.back()), double(y->shape.back()),
                         double(graph::matmulOperand(node, x->shape, 0).back())};
    case OpKind::Conv: { // implicit GEMM: output pixels x output channels x (C/g * kernel)
        if (y->shape.size() < 3)
            return std::nullopt;
        const double cout = double(y->shape[1]);
        const double pixels = double(y->elements()) / cout;
        const double groups = double(node.attrs.getInt("groups", 1));
        const double reduce = metrics.macs / std::max(1.0, double(y->elements()));
        return GemmShape{pixels, cout / groups, reduce, groups};
    }
    case OpKind::MoE: { // one GEMM per expert over the tokens routed to it
        const double hidden = double(node.attrs.getInt("hidden", x->shape.back()));
        const double tokens = double(x->elements()) / hidden;
        const double experts = double(node.attrs.getInt("experts", 1));
        const double perExpert = tokens * double(node.attrs.getInt("top_k", 1)) / experts;
        return GemmShape{perExpert, double(node.attrs.getInt("intermediate")), hidden, experts};
    }
    case OpKind::Attention: {
        const double tokens = double(x->elements()) / k;
        return GemmShape{tokens, k, k, 1};
    }
    default:
        return std::nullopt;
    }
}

graph::Attrs composeOptions(const graph::Attrs &blockOptions, const std::string &layerName) {
    graph::Attrs out;
    const std::string prefix = layerName + "/";
    for (const auto &[k, v] : blockOptions.all())
        if (k.find('/') == std::string::npos)
            out.set(k, v);
    for (const auto &[k, v] : blockOptions.all())
        if (k.rfind(prefix, 0) == 0)
            out.set(k.substr(prefix.size()), v);
    return out;
}

} // namespace seaside::cost
