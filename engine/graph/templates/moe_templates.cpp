// Mixture-of-experts decoder LLMs. Each model is: token ids -> embedding -> decoder layers (one
// Block, or a dense-FFN block followed by a MoE block) -> final RMSNorm -> LM head. A layer is
// pre-norm: RMSNorm -> attention (Q/K/V/O inside) -> residual add -> RMSNorm -> FFN -> residual add.
#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

struct MoeLlmConfig {
    std::string id;
    std::int64_t vocab = 0;
    std::int64_t hidden = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    bool qkvBias = false;
    std::int64_t experts = 0;
    std::int64_t topK = 0;
    std::int64_t moeIntermediate = 0;
    std::int64_t sharedExperts = 0;
    std::int64_t sharedIntermediate = 0; // per shared expert
    std::int64_t denseLayers = 0;        // leading layers with a dense gated FFN instead of MoE
    std::int64_t denseIntermediate = 0;
    double rmsEps = 1e-5;
};

constexpr DType kDType = DType::BF16; // all three ship bf16 weights
constexpr std::int64_t kDefaultSeq = 512;

// RMSNorm: a LayerNorm with one scale vector (no shift), so its parameter count is `hidden`.
Attrs rmsNorm(const MoeLlmConfig &c) {
    return attrs().s("variant", "rms").d("eps", c.rmsEps).i("params", c.hidden);
}

// x -> RMSNorm -> attention -> + x. Returns the residual sum.
NodeId attentionHalf(TemplateBuilder &b, const MoeLlmConfig &c, NodeId x) {
    const NodeId norm = b.add(OpKind::LayerNorm, "attn_norm", rmsNorm(c), {x});
    const NodeId attn = b.add(OpKind::Attention, "attn",
                              attrs()
                                  .i("heads", c.heads)
                                  .i("kv_heads", c.kvHeads)
                                  .i("head_dim", c.headDim)
                                  .i("bias", c.qkvBias ? 1 : 0)
                                  .i("causal", 1)
                                  .s("position", "rope"),
                              {norm});
    return b.add(OpKind::Elementwise, "attn_add", attrs().s("op", "add"), {x, attn});
}

Expected<std::shared_ptr<const Graph>> moeLayer(const MoeLlmConfig &c, const std::vector<std::int64_t> &shape) {
    TemplateBuilder b;
    const NodeId x = b.input("x", shape, kDType);
    const NodeId h = attentionHalf(b, c, x);
    const NodeId norm = b.add(OpKind::LayerNorm, "ffn_norm", rmsNorm(c), {h});
    AttrsBuilder moe = attrs()
                           .i("experts", c.experts)
                           .i("top_k", c.topK)
                           .i("hidden", c.hidden)
                           .i("intermediate", c.moeIntermediate)
                           .i("shared_experts", c.sharedExperts)
                           .s("activation", "silu");
    if (c.sharedExperts > 0)
        moe.i("shared_intermediate", c.sharedIntermediate);
    const NodeId ffn = b.add(OpKind::MoE, "moe", moe, {norm});
    const NodeId y = b.add(OpKind::Elementwise, "ffn_add", attrs().s("op", "add"), {h, ffn});
    b.output("y", y);
    return b.finishBody();
}

// A dense SwiGLU FFN: down(silu(gate(x)) * up(x)), no biases.
Expected<std::shared_ptr<const Graph>> denseLayer(const MoeLlmConfig &c, const std::vector<std::int64_t> &shape) {
    TemplateBuilder b;
    const NodeId x = b.input("x", shape, kDType);
    const NodeId h = attentionHalf(b, c, x);
    const NodeId norm = b.add(OpKind::LayerNorm, "ffn_norm", rmsNorm(c), {h});
    const NodeId gate = b.add(OpKind::Linear, "mlp.gate_proj",
                              attrs().i("out_features", c.denseIntermediate).i("bias", 0), {norm});
    const NodeId up = b.add(OpKind::Linear, "mlp.up_proj",
                            attrs().i("out_features", c.denseIntermediate).i("bias", 0), {norm});
    const NodeId act = b.add(OpKind::Activation, "mlp.act", attrs().s("function", "silu"), {gate});
    const NodeId mul = b.add(OpKind::Elementwise, "mlp.mul", attrs().s("op", "mul"), {act, up});
    const NodeId down = b.add(OpKind::Linear, "mlp.down_proj", attrs().i("out_features", c.hidden).i("bias", 0), {mul});
    const NodeId y = b.add(OpKind::Elementwise, "ffn_add", attrs().s("op", "add"), {h, down});
    b.output("y", y);
    return b.finishBody();
}

std::string layerRange(std::int64_t first, std::int64_t last) {
    return first == last ? "layers." + std::to_string(first)
                         : "layers." + std::to_string(first) + "-" + std::to_string(last);
}

Expected<Graph> buildMoeLlm(const MoeLlmConfig &c, const TemplateOptions &opts) {
    const std::int64_t seq = opts.seqLen > 0 ? opts.seqLen : kDefaultSeq;
    const std::vector<std::int64_t> hiddenShape{opts.batch, seq, c.hidden};

    TemplateBuilder b;
    const NodeId ids = b.input("input_ids", {opts.batch, seq}, DType::F32);
    NodeId x = b.add(OpKind::Embedding, "embed_tokens",
                     attrs().i("vocab", c.vocab).i("dim", c.hidden).s("dtype", "bf16").s("weight_dtype", "bf16"),
                     {ids});
    if (c.denseLayers > 0) {
        auto body = denseLayer(c, hiddenShape);
        if (!body)
            return body.error();
        x = b.block(layerRange(0, c.denseLayers - 1), *body, c.denseLayers, {x});
    }
    const std::int64_t moeLayers = c.layers - c.denseLayers;
    if (moeLayers > 0) {
        auto body = moeLayer(c, hiddenShape);
        if (!body)
            return body.error();
        x = b.block(layerRange(c.denseLayers, c.layers - 1), *body, moeLayers, {x});
    }
    const NodeId norm = b.add(OpKind::LayerNorm, "norm", rmsNorm(c), {x});
    const NodeId head = b.add(OpKind::Linear, "lm_head", attrs().i("out_features", c.vocab).i("bias", 0), {norm});
    b.output("logits", head);
    return b.finish();
}

MoeLlmConfig mixtral() {
    MoeLlmConfig c;
    c.id = "mixtral-8x7b";
    c.vocab = 32000;
    c.hidden = 4096;
    c.layers = 32;
    c.heads = 32;
    c.kvHeads = 8;
    c.headDim = 128;
    c.experts = 8;
    c.topK = 2;
    c.moeIntermediate = 14336;
    c.rmsEps = 1e-5;
    return c;
}

MoeLlmConfig deepseekMoe() {
    MoeLlmConfig c;
    c.id = "deepseek-moe-16b";
    c.vocab = 102400;
    c.hidden = 2048;
    c.layers = 28;
    c.heads = 16;
    c.kvHeads = 16;
    c.headDim = 128;
    c.experts = 64;
    c.topK = 6;
    c.moeIntermediate = 1408;
    c.sharedExperts = 2;
    c.sharedIntermediate = 1408;
    c.denseLayers = 1; // first_k_dense_replace
    c.denseIntermediate = 10944;
    c.rmsEps = 1e-6;
    return c;
}

MoeLlmConfig qwen2Moe() {
    MoeLlmConfig c;
    c.id = "qwen2-moe";
    c.vocab = 151936;
    c.hidden = 3584;
    c.layers = 28;
    c.heads = 28;
    c.kvHeads = 4;
    c.headDim = 128;
    c.qkvBias = true; // Qwen2 has Q/K/V biases (the model counts an O bias too: +hidden per layer)
    c.experts = 64;
    c.topK = 8;
    c.moeIntermediate = 2560;
    c.sharedExperts = 1;
    c.sharedIntermediate = 20480;
    c.rmsEps = 1e-6;
    return c;
}

TemplateEntry entry(TemplateInfo info, MoeLlmConfig c) {
    return {std::move(info), [c](const TemplateOptions &o) { return buildMoeLlm(c, o); }};
}

} // namespace

std::vector<TemplateEntry> moeTemplates() {
    return {
        entry({"mixtral-8x7b", "Mixtral 8x7B", "moe",
               "mistralai/Mixtral-8x7B-v0.1 config.json (Jiang et al. 2024, arXiv:2401.04088)"},
              mixtral()),
        entry({"deepseek-moe-16b", "DeepSeekMoE 16B", "moe",
               "deepseek-ai/deepseek-moe-16b-base config.json (Dai et al. 2024, arXiv:2401.06066)"},
              deepseekMoe()),
        entry({"qwen2-moe", "Qwen2-MoE 57B-A14B", "moe",
               "Qwen/Qwen2-57B-A14B config.json (Qwen2 technical report, arXiv:2407.10671)"},
              qwen2Moe()),
    };
}

} // namespace seaside::graph::templates
