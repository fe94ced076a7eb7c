// An EEG encoder: a 1-D convolution stack over [batch, electrodes, samples] followed by a
// projection head to a 128-d embedding. A reference design of the common conv-encoder shape
// (no published checkpoint): 4 blocks of conv1d(k7) + batchnorm + gelu + maxpool(2).
#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

constexpr std::int64_t kElectrodes = 64;
constexpr std::int64_t kDefaultSamples = 512;
constexpr std::int64_t kKernel = 7;
constexpr std::int64_t kEmbedding = 128;
constexpr std::int64_t kChannels[] = {128, 128, 256, 256};

Expected<Graph> buildEegEncoder(const TemplateOptions &opts) {
    const std::int64_t samples = opts.seqLen > 0 ? opts.seqLen : kDefaultSamples;
    constexpr std::int64_t minSamples = std::int64_t(1) << std::size(kChannels); // one per pool
    if (samples < minSamples)
        return makeError("the EEG encoder needs at least " + std::to_string(minSamples) + " samples (seqLen), got " +
                         std::to_string(samples));

    TemplateBuilder b;
    NodeId x = b.input("eeg", {opts.batch, kElectrodes, samples}, DType::F32);
    for (std::size_t i = 0; i < std::size(kChannels); ++i) {
        const std::string p = "block" + std::to_string(i + 1) + ".";
        x = b.add(OpKind::Conv, p + "conv",
                  attrs()
                      .i("out_channels", kChannels[i])
                      .v("kernel", {kKernel})
                      .v("stride", {1})
                      .v("pads", {kKernel / 2, kKernel / 2})
                      .v("dilation", {1})
                      .i("groups", 1)
                      .i("bias", 0),
                  {x});
        x = b.add(OpKind::BatchNorm, p + "bn", attrs().d("eps", 1e-5), {x});
        x = b.add(OpKind::Activation, p + "gelu", attrs().s("function", "gelu"), {x});
        x = b.add(OpKind::Pool, p + "pool", attrs().s("mode", "max").v("kernel", {2}).v("stride", {2}), {x});
    }
    x = b.add(OpKind::Pool, "avgpool", attrs().s("mode", "avg").i("global", 1), {x});
    x = b.add(OpKind::Reshape, "flatten", attrs().v("shape", {0, -1}), {x});
    const std::int64_t last = kChannels[std::size(kChannels) - 1];
    x = b.add(OpKind::Linear, "head.fc1", attrs().i("out_features", last).i("bias", 1), {x});
    x = b.add(OpKind::Activation, "head.gelu", attrs().s("function", "gelu"), {x});
    x = b.add(OpKind::Linear, "head.fc2", attrs().i("out_features", kEmbedding).i("bias", 1), {x});
    b.output("embedding", x);
    return b.finish();
}

} // namespace

std::vector<TemplateEntry> eegTemplates() {
    return {
        {{"eeg-encoder", "EEG encoder (1-D conv + projection)", "eeg",
          "Seaside reference design, no published checkpoint: 64 electrodes x 512 samples, 4 blocks of "
          "conv1d(k7)+batchnorm+gelu+maxpool(2) with 128/128/256/256 channels, global average pool, "
          "MLP projection head 256 -> 128"},
         buildEegEncoder},
    };
}

} // namespace seaside::graph::templates
