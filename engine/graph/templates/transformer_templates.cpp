// Encoder transformers: BERT-base, I-BERT (BERT-base shapes, int8 weights and activations) and
// ViT-B/16. The 12 encoder layers are one Block.
#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

struct EncoderConfig {
    std::int64_t hidden = 768;
    std::int64_t heads = 12;
    std::int64_t intermediate = 3072;
    std::int64_t layers = 12;
    double eps = 1e-12;
    DType dtype = DType::F32;
};

Attrs layerNorm(const EncoderConfig &c) { return attrs().d("eps", c.eps); }

Attrs attention(const EncoderConfig &c) {
    return attrs()
        .i("heads", c.heads)
        .i("kv_heads", c.heads)
        .i("head_dim", c.hidden / c.heads)
        .i("bias", 1)
        .i("causal", 0);
}

Attrs linear(std::int64_t out) { return attrs().i("out_features", out).i("bias", 1); }

// fc1 -> gelu -> fc2, on whatever `x` is.
NodeId mlp(TemplateBuilder &b, const EncoderConfig &c, NodeId x) {
    const NodeId fc1 = b.add(OpKind::Linear, "ffn.fc1", linear(c.intermediate), {x});
    const NodeId act = b.add(OpKind::Activation, "ffn.act", attrs().s("function", "gelu"), {fc1});
    return b.add(OpKind::Linear, "ffn.fc2", linear(c.hidden), {act});
}

// BERT's post-norm layer: x -> attention -> + x -> LayerNorm -> MLP -> + -> LayerNorm.
Expected<std::shared_ptr<const Graph>> postNormLayer(const EncoderConfig &c, std::vector<std::int64_t> shape) {
    TemplateBuilder b;
    const NodeId x = b.input("x", std::move(shape), c.dtype);
    const NodeId attn = b.add(OpKind::Attention, "attn", attention(c), {x});
    const NodeId add1 = b.add(OpKind::Elementwise, "attn_add", attrs().s("op", "add"), {x, attn});
    const NodeId norm1 = b.add(OpKind::LayerNorm, "attn_norm", layerNorm(c), {add1});
    const NodeId ffn = mlp(b, c, norm1);
    const NodeId add2 = b.add(OpKind::Elementwise, "ffn_add", attrs().s("op", "add"), {norm1, ffn});
    const NodeId norm2 = b.add(OpKind::LayerNorm, "ffn_norm", layerNorm(c), {add2});
    b.output("y", norm2);
    return b.finishBody();
}

// ViT's pre-norm layer: x -> LayerNorm -> attention -> + x -> LayerNorm -> MLP -> +.
Expected<std::shared_ptr<const Graph>> preNormLayer(const EncoderConfig &c, std::vector<std::int64_t> shape) {
    TemplateBuilder b;
    const NodeId x = b.input("x", std::move(shape), c.dtype);
    const NodeId norm1 = b.add(OpKind::LayerNorm, "attn_norm", layerNorm(c), {x});
    const NodeId attn = b.add(OpKind::Attention, "attn", attention(c), {norm1});
    const NodeId add1 = b.add(OpKind::Elementwise, "attn_add", attrs().s("op", "add"), {x, attn});
    const NodeId norm2 = b.add(OpKind::LayerNorm, "ffn_norm", layerNorm(c), {add1});
    const NodeId ffn = mlp(b, c, norm2);
    const NodeId add2 = b.add(OpKind::Elementwise, "ffn_add", attrs().s("op", "add"), {add1, ffn});
    b.output("y", add2);
    return b.finishBody();
}

// Picks the first token of [batch, seq, hidden] (the CLS token): a Gather shape inference does
// not model, so its output is declared.
NodeId clsToken(TemplateBuilder &b, const std::string &name, NodeId x, std::int64_t batch, const EncoderConfig &c) {
    return b.custom(name, "Gather", attrs().i("axis", 1).i("index", 0), TensorDesc{{batch, c.hidden}, c.dtype}, {x});
}

// --- BERT-base / I-BERT ----------------------------------------------------------------------

constexpr std::int64_t kBertVocab = 30522;
constexpr std::int64_t kBertPositions = 512;
constexpr std::int64_t kBertTypes = 2;

Expected<Graph> buildBert(const TemplateOptions &opts, bool int8) {
    EncoderConfig c;
    c.dtype = int8 ? DType::I8 : DType::F32;
    const std::string dt(dtypeName(c.dtype));
    const std::int64_t seq = opts.seqLen > 0 ? opts.seqLen : kBertPositions;
    if (seq > kBertPositions)
        return makeError("seqLen " + std::to_string(seq) + " exceeds BERT's " + std::to_string(kBertPositions) +
                         " position embeddings");

    TemplateBuilder b;
    const NodeId ids = b.input("input_ids", {opts.batch, seq}, DType::F32);
    const NodeId types = b.input("token_type_ids", {opts.batch, seq}, DType::F32);
    const NodeId positions = b.input("position_ids", {opts.batch, seq}, DType::F32);
    auto embedding = [&](std::int64_t vocab) {
        return attrs().i("vocab", vocab).i("dim", c.hidden).s("dtype", dt).s("weight_dtype", dt);
    };
    const NodeId word = b.add(OpKind::Embedding, "embeddings.word", embedding(kBertVocab), {ids});
    const NodeId pos = b.add(OpKind::Embedding, "embeddings.position", embedding(kBertPositions), {positions});
    const NodeId type = b.add(OpKind::Embedding, "embeddings.token_type", embedding(kBertTypes), {types});
    const NodeId sum = b.add(OpKind::Elementwise, "embeddings.add", attrs().s("op", "add"), {word, pos, type});
    NodeId x = b.add(OpKind::LayerNorm, "embeddings.norm", layerNorm(c), {sum});

    auto body = postNormLayer(c, {opts.batch, seq, c.hidden});
    if (!body)
        return body.error();
    x = b.block("encoder.layers", *body, c.layers, {x});
    b.output("last_hidden_state", x);

    const NodeId cls = clsToken(b, "pooler.cls", x, opts.batch, c);
    const NodeId dense = b.add(OpKind::Linear, "pooler.dense", linear(c.hidden), {cls});
    const NodeId tanh = b.add(OpKind::Activation, "pooler.act", attrs().s("function", "tanh"), {dense});
    b.output("pooled", tanh);
    return b.finish();
}

// --- ViT-B/16 --------------------------------------------------------------------------------

constexpr std::int64_t kImage = 224;
constexpr std::int64_t kPatch = 16;
constexpr std::int64_t kPatches = (kImage / kPatch) * (kImage / kPatch); // 196
constexpr std::int64_t kVitTokens = kPatches + 1;                        // + CLS

Expected<Graph> buildVit(const TemplateOptions &opts) {
    if (opts.seqLen != 0 && opts.seqLen != kVitTokens)
        return makeError("ViT-B/16 takes a 224x224 image, which is " + std::to_string(kVitTokens) +
                         " tokens; seqLen " + std::to_string(opts.seqLen) + " is not supported");
    EncoderConfig c;
    c.eps = 1e-6;
    const std::int64_t n = opts.batch;

    TemplateBuilder b;
    const NodeId img = b.input("image", {n, 3, kImage, kImage}, DType::F32);
    NodeId x = b.add(OpKind::Conv, "patch_embed.proj",
                     attrs()
                         .i("out_channels", c.hidden)
                         .v("kernel", {kPatch, kPatch})
                         .v("stride", {kPatch, kPatch})
                         .v("pads", {0, 0, 0, 0})
                         .v("dilation", {1, 1})
                         .i("groups", 1)
                         .i("bias", 1),
                     {img});
    x = b.add(OpKind::Reshape, "patch_embed.flatten", attrs().v("shape", {0, c.hidden, -1}), {x}); // [n,768,196]
    x = b.add(OpKind::Transpose, "patch_embed.transpose", attrs().v("perm", {0, 2, 1}), {x});       // [n,196,768]
    // The CLS token goes first in the sequence; it sits on port 1 here because Concat takes the
    // batch size from port 0 (the token is broadcast over the batch).
    const NodeId clsParam = b.constant("cls_token", TensorDesc{{1, 1, c.hidden}, c.dtype});
    x = b.add(OpKind::Concat, "tokens", attrs().i("axis", 1), {x, clsParam});
    const NodeId posParam = b.constant("pos_embed", TensorDesc{{1, kVitTokens, c.hidden}, c.dtype});
    x = b.add(OpKind::Elementwise, "pos_add", attrs().s("op", "add"), {x, posParam});

    auto body = preNormLayer(c, {n, kVitTokens, c.hidden});
    if (!body)
        return body.error();
    x = b.block("encoder.layers", *body, c.layers, {x});
    x = b.add(OpKind::LayerNorm, "norm", layerNorm(c), {x});
    x = clsToken(b, "cls", x, n, c);
    x = b.add(OpKind::Linear, "head", linear(1000), {x});
    b.output("logits", x);
    return b.finish();
}

} // namespace

std::vector<TemplateEntry> transformerTemplates() {
    return {
        {{"bert-base", "BERT-base (uncased)", "transformer",
          "google-bert/bert-base-uncased config.json (Devlin et al. 2019, arXiv:1810.04805)"},
         [](const TemplateOptions &o) { return buildBert(o, false); }},
        {{"ibert", "I-BERT (int8, BERT-base shapes)", "transformer",
          "Kim et al. 2021, I-BERT: Integer-only BERT Quantization (arXiv:2101.01321); BERT-base shapes "
          "(google-bert/bert-base-uncased config.json), int8 weights and activations"},
         [](const TemplateOptions &o) { return buildBert(o, true); }},
        {{"vit-b16", "ViT-B/16", "transformer",
          "Dosovitskiy et al. 2021 (arXiv:2010.11929); google/vit-base-patch16-224 config.json"},
         buildVit},
    };
}

} // namespace seaside::graph::templates
