// ImageNet CNNs on a 224x224 RGB input: ResNet-50 (bottleneck stages as Blocks), VGG16 and
// MobileNetV2 (flat). Convolutions feeding a BatchNorm have no bias, as in torchvision.
#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

constexpr std::int64_t kImage = 224;
constexpr std::int64_t kClasses = 1000;

struct ConvSpec {
    std::int64_t out = 0;
    std::int64_t kernel = 1;
    std::int64_t stride = 1;
    std::int64_t groups = 1;
    bool bias = false;
};

Attrs conv2d(const ConvSpec &s) {
    const std::int64_t pad = s.kernel / 2; // "same" padding for odd kernels
    return attrs()
        .i("out_channels", s.out)
        .v("kernel", {s.kernel, s.kernel})
        .v("stride", {s.stride, s.stride})
        .v("pads", {pad, pad, pad, pad})
        .v("dilation", {1, 1})
        .i("groups", s.groups)
        .i("bias", s.bias ? 1 : 0);
}

Attrs relu() { return attrs().s("function", "relu"); }

// conv -> batchnorm [-> relu], named prefix + "conv"/"bn"/"relu" (prefix may be empty).
NodeId convBn(TemplateBuilder &b, const std::string &prefix, Port x, const ConvSpec &s, bool withRelu,
              const std::string &suffix = "") {
    const NodeId conv = b.add(OpKind::Conv, prefix + "conv" + suffix, conv2d(s), {x});
    const NodeId bn = b.add(OpKind::BatchNorm, prefix + "bn" + suffix, attrs().d("eps", 1e-5), {conv});
    return withRelu ? b.add(OpKind::Activation, prefix + "relu" + suffix, relu(), {bn}) : bn;
}

NodeId classifierHead(TemplateBuilder &b, NodeId features) {
    const NodeId pool = b.add(OpKind::Pool, "avgpool", attrs().s("mode", "avg").i("global", 1), {features});
    const NodeId flat = b.add(OpKind::Reshape, "flatten", attrs().v("shape", {0, -1}), {pool});
    return b.add(OpKind::Linear, "fc", attrs().i("out_features", kClasses).i("bias", 1), {flat});
}

// --- ResNet-50 -------------------------------------------------------------------------------

// One torchvision (v1.5) bottleneck: the stride sits on the 3x3 convolution.
Expected<std::shared_ptr<const Graph>> bottleneck(std::vector<std::int64_t> inShape, std::int64_t width,
                                                  std::int64_t stride, bool projection) {
    TemplateBuilder b;
    const NodeId x = b.input("x", std::move(inShape), DType::F32);
    NodeId h = convBn(b, "", x, {width, 1, 1}, true, "1");
    h = convBn(b, "", h, {width, 3, stride}, true, "2");
    h = convBn(b, "", h, {4 * width, 1, 1}, false, "3");
    NodeId shortcut = x;
    if (projection)
        shortcut = convBn(b, "downsample.", x, {4 * width, 1, stride}, false);
    const NodeId sum = b.add(OpKind::Elementwise, "add", attrs().s("op", "add"), {h, shortcut});
    const NodeId y = b.add(OpKind::Activation, "relu", relu(), {sum});
    b.output("y", y);
    return b.finishBody();
}

Expected<Graph> buildResNet50(const TemplateOptions &opts) {
    const std::int64_t n = opts.batch;
    TemplateBuilder b;
    const NodeId img = b.input("image", {n, 3, kImage, kImage}, DType::F32);
    NodeId x = convBn(b, "", img, {64, 7, 2}, true, "1");
    x = b.add(OpKind::Pool, "maxpool",
              attrs().s("mode", "max").v("kernel", {3, 3}).v("stride", {2, 2}).v("pads", {1, 1, 1, 1}), {x});

    struct Stage {
        std::int64_t blocks, width, stride;
    };
    const Stage stages[] = {{3, 64, 1}, {4, 128, 2}, {6, 256, 2}, {3, 512, 2}};
    std::int64_t channels = 64, size = kImage / 4;
    for (int s = 0; s < 4; ++s) {
        const Stage &st = stages[s];
        const std::string name = "stage" + std::to_string(s + 1);
        auto first = bottleneck({n, channels, size, size}, st.width, st.stride, true);
        if (!first)
            return first.error();
        x = b.block(name + ".block0", *first, 1, {x});
        channels = 4 * st.width;
        size /= st.stride;
        auto rest = bottleneck({n, channels, size, size}, st.width, 1, false);
        if (!rest)
            return rest.error();
        x = b.block(name + ".block1-" + std::to_string(st.blocks - 1), *rest, st.blocks - 1, {x});
    }
    b.output("logits", classifierHead(b, x));
    return b.finish();
}

// --- VGG16 -----------------------------------------------------------------------------------

Expected<Graph> buildVgg16(const TemplateOptions &opts) {
    TemplateBuilder b;
    NodeId x = b.input("image", {opts.batch, 3, kImage, kImage}, DType::F32);
    const std::vector<std::vector<std::int64_t>> groups{{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512},
                                                        {512, 512, 512}};
    for (std::size_t g = 0; g < groups.size(); ++g) {
        for (std::size_t i = 0; i < groups[g].size(); ++i) {
            const std::string tag = std::to_string(g + 1) + "_" + std::to_string(i + 1);
            x = b.add(OpKind::Conv, "conv" + tag, conv2d({groups[g][i], 3, 1, 1, true}), {x});
            x = b.add(OpKind::Activation, "relu" + tag, relu(), {x});
        }
        x = b.add(OpKind::Pool, "pool" + std::to_string(g + 1),
                  attrs().s("mode", "max").v("kernel", {2, 2}).v("stride", {2, 2}), {x});
    }
    x = b.add(OpKind::Reshape, "flatten", attrs().v("shape", {0, -1}), {x});
    x = b.add(OpKind::Linear, "fc6", attrs().i("out_features", 4096).i("bias", 1), {x});
    x = b.add(OpKind::Activation, "relu6", relu(), {x});
    x = b.add(OpKind::Linear, "fc7", attrs().i("out_features", 4096).i("bias", 1), {x});
    x = b.add(OpKind::Activation, "relu7", relu(), {x});
    x = b.add(OpKind::Linear, "fc8", attrs().i("out_features", kClasses).i("bias", 1), {x});
    b.output("logits", x);
    return b.finish();
}

// --- MobileNetV2 -----------------------------------------------------------------------------

// ReLU6 is modelled as "relu" (same cost); width multiplier 1.0.
Expected<Graph> buildMobileNetV2(const TemplateOptions &opts) {
    TemplateBuilder b;
    const NodeId img = b.input("image", {opts.batch, 3, kImage, kImage}, DType::F32);
    NodeId x = convBn(b, "stem.", img, {32, 3, 2}, true);

    struct Setting {
        std::int64_t expand, channels, repeats, stride;
    };
    const Setting settings[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
    std::int64_t in = 32;
    int index = 1;
    for (const Setting &s : settings)
        for (std::int64_t r = 0; r < s.repeats; ++r, ++index) {
            const std::string p = "block" + std::to_string(index) + ".";
            const std::int64_t stride = r == 0 ? s.stride : 1;
            const std::int64_t hidden = in * s.expand;
            NodeId h = x;
            if (s.expand != 1)
                h = convBn(b, p + "expand.", h, {hidden, 1, 1}, true);
            h = convBn(b, p + "dw.", h, {hidden, 3, stride, hidden}, true);
            h = convBn(b, p + "project.", h, {s.channels, 1, 1}, false);
            if (stride == 1 && in == s.channels)
                h = b.add(OpKind::Elementwise, p + "add", attrs().s("op", "add"), {x, h});
            x = h;
            in = s.channels;
        }
    x = convBn(b, "head.", x, {1280, 1, 1}, true);
    b.output("logits", classifierHead(b, x));
    return b.finish();
}

} // namespace

std::vector<TemplateEntry> cnnTemplates() {
    return {
        {{"resnet50", "ResNet-50", "cnn", "He et al. 2016 (arXiv:1512.03385); torchvision resnet50 (v1.5)"},
         buildResNet50},
        {{"vgg16", "VGG16", "cnn", "Simonyan & Zisserman 2015 (arXiv:1409.1556); torchvision vgg16"}, buildVgg16},
        {{"mobilenetv2", "MobileNetV2", "cnn", "Sandler et al. 2018 (arXiv:1801.04381); torchvision mobilenet_v2"},
         buildMobileNetV2},
    };
}

} // namespace seaside::graph::templates
