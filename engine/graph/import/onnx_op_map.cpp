#include "graph/import/onnx_op_map.h"

#include <unordered_map>

namespace seaside::graph {

std::optional<OpKind> onnxOpKind(const std::string &op) {
    static const std::unordered_map<std::string, OpKind> kMap{
        {"Gemm", OpKind::Linear},
        {"MatMul", OpKind::MatMul},
        {"MatMulInteger", OpKind::MatMul},
        {"QLinearMatMul", OpKind::MatMul},
        {"Conv", OpKind::Conv},
        {"ConvInteger", OpKind::Conv},
        {"QLinearConv", OpKind::Conv},
        {"MaxPool", OpKind::Pool},
        {"AveragePool", OpKind::Pool},
        {"LpPool", OpKind::Pool},
        {"GlobalAveragePool", OpKind::Pool},
        {"GlobalMaxPool", OpKind::Pool},
        {"BatchNormalization", OpKind::BatchNorm},
        {"InstanceNormalization", OpKind::BatchNorm},
        {"LayerNormalization", OpKind::LayerNorm},
        {"Softmax", OpKind::Softmax},
        {"LogSoftmax", OpKind::Softmax},
        {"Concat", OpKind::Concat},
        {"Reshape", OpKind::Reshape},
        {"Flatten", OpKind::Reshape},
        {"Squeeze", OpKind::Reshape},
        {"Unsqueeze", OpKind::Reshape},
        {"Transpose", OpKind::Transpose},
        {"Constant", OpKind::Constant},
    };
    static const char *kActivations[] = {"Relu",    "LeakyRelu", "PRelu",    "Sigmoid",     "Tanh",  "Elu",
                                         "Selu",    "Gelu",      "HardSigmoid", "HardSwish", "Clip", "Softplus",
                                         "Softsign", "Mish",     "ThresholdedRelu", "Celu"};
    static const char *kElementwise[] = {"Add", "Sub",  "Mul", "Div", "Pow",   "Sqrt",  "Max",  "Min",
                                         "Sum", "Mean", "Exp", "Log", "Neg",   "Abs",   "Erf",  "Reciprocal",
                                         "Floor", "Ceil", "Where", "Equal", "Less", "Greater", "Not", "And",
                                         "Or", "Sign", "Round", "Cos", "Sin", "Dropout", "Identity", "Cast"};
    if (auto it = kMap.find(op); it != kMap.end())
        return it->second;
    for (const char *a : kActivations)
        if (op == a)
            return OpKind::Activation;
    for (const char *e : kElementwise)
        if (op == e)
            return OpKind::Elementwise;
    return std::nullopt;
}

bool isOnnxControlFlow(const std::string &op) { return op == "If" || op == "Loop" || op == "Scan"; }

} // namespace seaside::graph
