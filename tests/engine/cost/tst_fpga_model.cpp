// The analytic FPGA model against values computed by hand in the comments, and its monotonic
// properties (more unroll / bandwidth is never slower). Formulas: engine/cost/fpga_model.cpp.
#include "cost/fpga_model.h"
#include "graph/graph.h"
#include "graph/node_metrics.h"
#include "graph/shape_inference.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace seaside;
using namespace seaside::graph;
using seaside::cost::Estimate;
using seaside::cost::LayerContext;

namespace {

// One operator fed by one input node, shapes inferred, with what a LayerContext refers to.
struct Layer {
    Graph g;
    NodeId op = 0;
    std::vector<TensorDesc> inputs;
    NodeMetrics metrics;
    const Node &node() const { return *g.node(op); }
};

Layer single(std::vector<std::int64_t> shape, Node node, DType t) {
    Layer l;
    Node in;
    in.kind = OpKind::Input;
    in.name = "x";
    in.outputs = {TensorDesc{std::move(shape), t}};
    const NodeId x = l.g.addNode(in);
    node.name = "op";
    l.op = l.g.addNode(node);
    l.g.addEdge({x, 0, l.op, 0});
    if (!inferShapes(l.g).ok())
        qFatal("shape inference failed");
    l.inputs = l.g.inputTensors(l.op);
    l.metrics = nodeMetrics(l.g, l.node());
    return l;
}

// 200 MHz, 10 GB/s, 2000 DSP, 1000 BRAM36 (4,608,000 bytes on chip), 10 W idle, 50 W max.
hw::DeviceSpec fpgaSpec() {
    hw::DeviceSpec d;
    d.id = "test-fpga";
    d.name = "Test FPGA";
    d.kind = hw::DeviceKind::Fpga;
    d.clockHz = 200e6;
    d.memBandwidth = 10e9;
    d.peakOps = {{DType::I8, 1e12}, {DType::F32, 1e11}};
    d.fpga = hw::FpgaResources{500000, 1000000, 2000, 1000, 0};
    d.idlePower = 10;
    d.maxPower = 50;
    return d;
}

hw::DeviceSpec gpuSpec() {
    hw::DeviceSpec d;
    d.id = "test-gpu";
    d.name = "Test GPU";
    d.kind = hw::DeviceKind::Gpu;
    d.clockHz = 1.5e9;
    d.memBandwidth = 2e12;
    d.peakOps = {{DType::F32, 60e12}, {DType::F16, 900e12}, {DType::I8, 1800e12}};
    d.idlePower = 60;
    d.maxPower = 700;
    return d;
}

Estimate estimate(const Layer &l, DType t, const Attrs &options, const hw::DeviceSpec &dev) {
    const LayerContext ctx{l.node(), l.inputs, l.metrics, t, options, dev};
    return cost::fpgaModel().estimateNode(ctx);
}

double coverage(const Layer &l, DType t, const hw::DeviceSpec &dev, std::string *reason) {
    const Attrs none;
    const LayerContext ctx{l.node(), l.inputs, l.metrics, t, none, dev};
    return cost::fpgaModel().coverage(ctx, reason);
}

Node conv(std::int64_t out, std::int64_t k, std::int64_t pad) {
    Node n;
    n.kind = OpKind::Conv;
    n.attrs.set("out_channels", out);
    n.attrs.set("kernel", std::vector<std::int64_t>{k, k});
    n.attrs.set("pads", std::vector<std::int64_t>{pad, pad, pad, pad});
    return n;
}

Node gnn(const std::string &variant, std::int64_t outFeatures, std::int64_t edges) {
    Node n;
    n.kind = OpKind::GnnConv;
    n.attrs.set("variant", variant);
    n.attrs.set("out_features", outFeatures);
    n.attrs.set("num_edges", edges);
    return n;
}

Attrs opts(std::initializer_list<std::pair<const char *, std::int64_t>> kv) {
    Attrs a;
    for (const auto &[k, v] : kv)
        a.set(k, v);
    return a;
}

} // namespace

class TestFpgaModel : public QObject {
    Q_OBJECT
private slots:
    void name() { QCOMPARE(std::string(cost::fpgaModel().name()), std::string("fpga-analytic")); }

    void dspAndLutPerMac() {
        QCOMPARE(cost::fpga::dspPerMac(DType::F32), 5.0);  // 3 multiplier + 2 adder DSP48E2
        QCOMPARE(cost::fpga::dspPerMac(DType::F16), 2.0);
        QCOMPARE(cost::fpga::dspPerMac(DType::BF16), 2.0);
        QCOMPARE(cost::fpga::dspPerMac(DType::I8), 0.5);   // two int8 MACs per DSP (WP486)
        QCOMPARE(cost::fpga::dspPerMac(DType::I4), 0.25);
        QCOMPARE(cost::fpga::lutPerMac(DType::I8), 30.0);
        // 10,000 bytes in 4 banks: 2,500 bytes a bank -> 1 block each -> 4 blocks;
        // 10,000 bytes in 1 bank: ceil(10000 / 4608) = 3 blocks
        QCOMPARE(cost::fpga::bramBlocks(10000, 4), 4.0);
        QCOMPARE(cost::fpga::bramBlocks(10000, 1), 3.0);
        QCOMPARE(cost::fpga::bramBlocks(0, 8), 0.0);
    }

    // (1) conv [1,16,32,32] -> 32 channels, 3x3, pad 1, int8, unroll 64, II 1.
    void convGolden() {
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::I8);
        QCOMPARE(l.metrics.macs, 4718592.0); // 32*32 pixels * 32 out * 16 in * 9
        const hw::DeviceSpec dev = fpgaSpec();
        const Estimate e = estimate(l, DType::I8, opts({{"unroll", 64}, {"pipeline_ii", 1}}), dev);
        QCOMPARE(std::string(e.source), std::string("fpga-analytic"));
        // cycles = 4,718,592 / 64 + 100 fill = 73,728 + 100 = 73,828; 73,828 / 200 MHz = 369.14 us
        const double seconds = 73828.0 / 200e6;
        QCOMPARE(e.computeTime, seconds);
        // traffic: input 16*32*32 = 16,384 B; weights 32*16*9 + 32 bias = 4,640 B (fit on chip:
        // read once); output 32*32*32 = 32,768 B. GEMM M=1024, N=32, K=144: tn = min(64, 32) = 32,
        // inputs read ceil(32/32) = 1 time. 53,792 B / 10 GB/s = 5.3792 us.
        QCOMPARE(e.memoryTime, 53792.0 / 10e9);
        QVERIFY(!e.memoryBound);
        QCOMPARE(e.latency, seconds);
        // intensity = 2 * 4,718,592 / 53,792 = 175.44 ops/B; attainable = min(2*64*200e6 = 25.6 G,
        // 10e9 * 175.44) = 25.6 Gops/s
        QCOMPARE(e.intensity, 2 * 4718592.0 / 53792.0);
        QCOMPARE(e.attainable, 25.6e9);
        // DSP = 64 * 0.5 = 32; LUT = 2000 + 64 * 30 = 3,920; FF = 7,840
        QCOMPARE(e.resources.dsp, 32.0);
        QCOMPARE(e.resources.lut, 3920.0);
        QCOMPARE(e.resources.ff, 7840.0);
        // BRAM: tiles tm=64, tn=32, tk=64, 1 byte each, x2 double-buffered: input 8,192 B, weight
        // 4,096 B, output 4,096 B; partition = unroll = 64 banks, each <= 4,608 B -> 64 blocks per
        // buffer -> 192.
        QCOMPARE(e.resources.bram, 192.0);
        QCOMPARE(e.resources.uram, 0.0);
        // energy: utilisation 32 / 2000 = 0.016 -> clamped to 0.05; (50 - 10) * 0.05 * 369.14 us
        // = 738.28 uJ
        QCOMPARE(e.energy, 40.0 * 0.05 * seconds);
        QCOMPARE(e.weightBytes, 4640.0);
        QCOMPARE(e.workingBytes, 16384.0 + 32768.0);
    }

    void pipelineIiMultipliesCycles() {
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::I8);
        // II 2: 73,728 * 2 + 100 = 147,556 cycles
        const Estimate e = estimate(l, DType::I8, opts({{"unroll", 64}, {"pipeline_ii", 2}}), fpgaSpec());
        QCOMPARE(e.computeTime, 147556.0 / 200e6);
        QCOMPARE(e.attainable, 12.8e9); // 2 * 64 / 2 * 200 MHz
    }

    void explicitPartitionSetsBanks() {
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::I8);
        // partition 1: input 8,192 B -> 2 blocks, weight 4,096 B -> 1, output 4,096 B -> 1 = 4
        const Estimate e =
            estimate(l, DType::I8, opts({{"unroll", 64}, {"partition", 1}}), fpgaSpec());
        QCOMPARE(e.resources.bram, 4.0);
    }

    // (2) Doubling unroll never increases compute time and never lowers DSP.
    void unrollIsMonotonic() {
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::I8);
        const hw::DeviceSpec dev = fpgaSpec();
        Estimate prev = estimate(l, DType::I8, opts({{"unroll", 1}}), dev);
        for (std::int64_t u = 2; u <= 16384; u *= 2) {
            const Estimate e = estimate(l, DType::I8, opts({{"unroll", u}}), dev);
            QVERIFY2(e.computeTime <= prev.computeTime, qPrintable(QString("unroll %1").arg(u)));
            QVERIFY(e.latency <= prev.latency);
            QVERIFY(e.resources.dsp >= prev.resources.dsp);
            prev = e;
        }
    }

    // (3) More memory bandwidth is never slower.
    void bandwidthIsMonotonic() {
        const Layer l = single({1, 1024, 7, 7}, conv(1024, 1, 0), DType::I8);
        hw::DeviceSpec dev = fpgaSpec();
        for (std::int64_t fly = 0; fly <= 1; ++fly) {
            double prev = std::numeric_limits<double>::infinity();
            for (double bw = 1e8; bw <= 1e13; bw *= 3) {
                dev.memBandwidth = bw;
                const Estimate e =
                    estimate(l, DType::I8, opts({{"unroll", 2048}, {"weights_on_the_fly", fly}}), dev);
                QVERIFY(e.latency <= prev);
                prev = e.latency;
            }
        }
    }

    // Tiling re-reads: linear [256, 1024] -> 1024, int8, default tile [64, 64, 64].
    void tilingRereadsWeightsThatDoNotFit() {
        Node n;
        n.kind = OpKind::Linear;
        n.attrs.set("out_features", std::int64_t(1024));
        const Layer l = single({256, 1024}, n, DType::I8);
        hw::DeviceSpec dev = fpgaSpec();
        // inputs 262,144 B read ceil(1024/64) = 16 times = 4,194,304; weights 1024*1024 + 1024
        // = 1,049,600 B fit in 1000 BRAM (4,608,000 B): once; outputs 262,144 -> 5,506,048 B
        QCOMPARE(estimate(l, DType::I8, {}, dev).memoryTime, 5506048.0 / 10e9);
        // 100 BRAM = 460,800 B: weights no longer fit, read ceil(256/64) = 4 times = 4,198,400
        // -> 4,194,304 + 4,198,400 + 262,144 = 8,654,848 B
        dev.fpga->bram = 100;
        QCOMPARE(estimate(l, DType::I8, {}, dev).memoryTime, 8654848.0 / 10e9);
        // tile [64, 1024, 64]: inputs once -> 262,144 + 4,198,400 + 262,144 = 4,722,688 B
        Attrs wide;
        wide.set("tile", std::vector<std::int64_t>{64, 1024, 64});
        QCOMPARE(estimate(l, DType::I8, wide, dev).memoryTime, 4722688.0 / 10e9);
    }

    // (4) unzipFPGA: a weight-heavy 1x1 conv 1024 -> 1024 on 7x7, int8, unroll 2048, 5 GB/s,
    // tile [64, 1024, 64] (inputs read once).
    void weightsOnTheFlyFlipsMemoryBound() {
        const Layer l = single({1, 1024, 7, 7}, conv(1024, 1, 0), DType::I8);
        QCOMPARE(l.metrics.macs, 51380224.0); // 49 * 1024 * 1024
        hw::DeviceSpec dev = fpgaSpec();
        dev.memBandwidth = 5e9;
        Attrs base = opts({{"unroll", 2048}});
        base.set("tile", std::vector<std::int64_t>{64, 1024, 64});
        Attrs fly = base;
        fly.set("weights_on_the_fly", std::int64_t(1)); // rho defaults to 0.25

        const Estimate plain = estimate(l, DType::I8, base, dev);
        // traffic 50,176 in + 1,049,600 weights + 50,176 out = 1,149,952 B / 5 GB/s = 229.99 us;
        // compute 51,380,224 / 2048 + 100 = 25,188 cycles = 125.94 us -> memory-bound
        QCOMPARE(plain.memoryTime, 1149952.0 / 5e9);
        QCOMPARE(plain.computeTime, 25188.0 / 200e6);
        QVERIFY(plain.memoryBound);
        QCOMPARE(plain.latency, plain.memoryTime);

        const Estimate unzip = estimate(l, DType::I8, fly, dev);
        // traffic 50,176 + 0.25 * 1,049,600 = 262,400 + 50,176 = 362,752 B = 72.55 us;
        // compute 25,088 + 100 fill + first weight tile ceil(64*1024 / 2048) = 32 -> 25,220 cycles
        // = 126.1 us -> compute-bound
        QCOMPARE(unzip.memoryTime, 362752.0 / 5e9);
        QCOMPARE(unzip.computeTime, 25220.0 / 200e6);
        QVERIFY(unzip.memoryTime < plain.memoryTime);
        QVERIFY(!unzip.memoryBound);
        QVERIFY(unzip.latency < plain.latency);
        // intensity = ops / (act bytes + rho x weight bytes) = 102,760,448 / 362,752
        QCOMPARE(unzip.intensity, 102760448.0 / 362752.0);
        QCOMPARE(unzip.weightBytes, 262400.0);
        // generator: + max(8, 0.1 * 2048 * 0.5 = 102.4) DSP, + 5000 LUT
        QCOMPARE(unzip.resources.dsp, 1024.0 + 102.4);
        QCOMPARE(unzip.resources.lut, plain.resources.lut + 5000.0);

        Attrs rhoHalf = fly;
        rhoHalf.set("compression_ratio", 0.5);
        // 50,176 + 524,800 + 50,176 = 625,152 B
        QCOMPARE(estimate(l, DType::I8, rhoHalf, dev).memoryTime, 625152.0 / 5e9);
    }

    // (5) GNN, GNNBuilder-style p_in / p_out: gcn on 1000 nodes, 64 -> 32 features, 5000 edges, fp32.
    void gnnParallelism() {
        const Layer l = single({1000, 64}, gnn("gcn", 32, 5000), DType::F32);
        QCOMPARE(l.metrics.macs, 2240000.0); // 1000*64*32 + (5000 + 1000) * 32
        const hw::DeviceSpec dev = fpgaSpec();
        const Estimate a = estimate(l, DType::F32, opts({{"p_in", 4}, {"p_out", 4}}), dev);
        const Estimate b = estimate(l, DType::F32, opts({{"p_in", 4}, {"p_out", 8}}), dev);
        // transform 2,048,000 / 16 = 128,000; aggregation over F' 192,000 / 4 = 48,000; + 100
        QCOMPARE(a.computeTime, 176100.0 / 200e6);
        // p_out 8: 2,048,000 / 32 = 64,000 + 192,000 / 8 = 24,000 + 100 = 88,100 (about half)
        QCOMPARE(b.computeTime, 88100.0 / 200e6);
        QVERIFY(std::abs(b.computeTime / a.computeTime - 0.5) < 0.01);
        // DSP = p_in * p_out * 5 (fp32): 80 -> 160
        QCOMPARE(a.resources.dsp, 80.0);
        QCOMPARE(b.resources.dsp, 2 * a.resources.dsp);
        // traffic: features 1000*64*4 = 256,000 + edge indices 5000*16 = 80,000 + weights
        // (64*32 + 32)*4 = 8,320 + outputs 1000*32*4 = 128,000 = 472,320 B
        QCOMPARE(a.memoryTime, 472320.0 / 10e9);
        QVERIFY(!a.memoryBound);
    }

    void gnnSageAggregatesInputFeatures() {
        const Layer l = single({1000, 64}, gnn("sage", 32, 5000), DType::F32);
        const hw::DeviceSpec dev = fpgaSpec();
        // transform 2*1000*64*32 = 4,096,000 / 16 = 256,000; aggregation over F: 5000*64 = 320,000
        // / p_in 4 = 80,000; + 100 = 336,100
        const Estimate a = estimate(l, DType::F32, opts({{"p_in", 4}, {"p_out", 4}}), dev);
        QCOMPARE(a.computeTime, 336100.0 / 200e6);
        // p_out 8 halves only the transform: 128,000 + 80,000 + 100 = 208,100
        const Estimate b = estimate(l, DType::F32, opts({{"p_in", 4}, {"p_out", 8}}), dev);
        QCOMPARE(b.computeTime, 208100.0 / 200e6);
    }

    void nonMacLayerUsesFlops() {
        Node n;
        n.kind = OpKind::Activation;
        n.attrs.set("function", std::string("relu"));
        const Layer l = single({1, 16, 32, 32}, n, DType::I8);
        // 16,384 relu ops at 16 a cycle: 1,024 + 100 = 1,124 cycles; traffic 16,384 + 16,384 B
        const Estimate e = estimate(l, DType::I8, opts({{"unroll", 16}}), fpgaSpec());
        QCOMPARE(e.computeTime, 1124.0 / 200e6);
        QCOMPARE(e.memoryTime, 32768.0 / 10e9);
        QCOMPARE(e.resources.dsp, 8.0); // 16 * 0.5
    }

    void lowerPrecisionScalesBytes() {
        // the graph declares fp32; the layer runs at int8: bytes x 0.25
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::F32);
        const Estimate e = estimate(l, DType::I8, opts({{"unroll", 64}}), fpgaSpec());
        QCOMPARE(e.memoryTime, 53792.0 / 10e9);
        QCOMPARE(e.weightBytes, 4640.0);
    }

    // (6) coverage: 0 on a device without FPGA resources, 0 for a dtype the FPGA lacks, else 1.
    void coverageNeedsFpgaAndDtype() {
        const Layer l = single({1, 16, 32, 32}, conv(32, 3, 1), DType::I8);
        std::string reason;
        QCOMPARE(coverage(l, DType::I8, gpuSpec(), &reason), 0.0);
        QVERIFY2(reason.find("not an FPGA") != std::string::npos, reason.c_str());
        reason.clear();
        QCOMPARE(coverage(l, DType::F16, fpgaSpec(), &reason), 0.0);
        QVERIFY2(reason.find("cannot run fp16") != std::string::npos, reason.c_str());
        QCOMPARE(coverage(l, DType::I8, fpgaSpec(), nullptr), 1.0);
    }
};

QTEST_APPLESS_MAIN(TestFpgaModel)
#include "tst_fpga_model.moc"
