#include "graph/op_kind.h"

#include <array>

namespace seaside::graph {

namespace {
constexpr std::array<std::string_view, kOpKindCount> kNames{
    "input",     "output",     "constant",    "linear",  "matmul",    "conv",      "pool",
    "batchnorm", "layernorm",  "activation",  "elementwise", "softmax", "attention", "embedding",
    "moe",       "gnn_conv",   "concat",      "reshape", "transpose", "block",     "custom",
};
} // namespace

std::string_view opKindName(OpKind k) { return kNames[std::size_t(k)]; }

std::optional<OpKind> opKindFromName(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name)
            return OpKind(i);
    return std::nullopt;
}

} // namespace seaside::graph
