#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace seaside::graph {

enum class OpKind : std::uint8_t {
    Input,
    Output,
    Constant,  // a constant tensor (ONNX Constant node): its elements count as parameters
    Linear,    // y = x W^T + b; attrs out_features, bias
    MatMul,    // batched A x B, both operands are activations
    Conv,      // 1-D / 2-D / 3-D; attrs out_channels, kernel, stride, pads, dilation, groups, bias
    Pool,      // attrs mode (max/avg), kernel, stride, pads, global
    BatchNorm,
    LayerNorm,
    Activation, // attr function (relu, gelu, silu, sigmoid, tanh, ...)
    Elementwise,
    Softmax,
    Attention, // multi-head self-attention incl. Q/K/V/O projections; attrs heads, kv_heads, head_dim, kv_len
    Embedding, // attrs vocab, dim
    MoE,       // attrs experts, top_k, hidden, intermediate, shared_experts
    GnnConv,   // attrs variant (gcn/sage/gin/gat), out_features, num_edges, heads
    Concat,
    Reshape,
    Transpose,
    Block,  // holds a sub-graph, repeated `repeat` times
    Custom, // an op Seaside does not model; kept with its original type
};

inline constexpr int kOpKindCount = int(OpKind::Custom) + 1;

std::string_view opKindName(OpKind k);
std::optional<OpKind> opKindFromName(std::string_view name);

} // namespace seaside::graph
