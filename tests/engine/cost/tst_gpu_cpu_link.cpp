// GPU, CPU/edge and link models: golden values computed by hand, and the properties that must hold.
#include "cost/cpu_model.h"
#include "cost/gpu_model.h"
#include "cost/link_model.h"
#include "graph/shape_inference.h"

#include <QtTest>

using namespace seaside;
using namespace seaside::graph;

namespace {
hw::DeviceSpec testGpu() {
    hw::DeviceSpec d;
    d.id = "test-gpu";
    d.name = "Test GPU";
    d.kind = hw::DeviceKind::Gpu;
    d.peakOps = {{DType::F16, 100e12}, {DType::F32, 20e12}};
    d.peakOpsSparse = {{DType::F16, 200e12}};
    d.memBandwidth = 1e12;
    d.memCapacity = 16e9;
    d.computeUnits = 100;
    d.idlePower = 50;
    d.maxPower = 350;
    return d;
}

struct Layer {
    Graph g;
    NodeId id = 0;
    std::vector<TensorDesc> in;
    NodeMetrics m;
};

Layer linear(std::int64_t rows, std::int64_t k, std::int64_t n, DType t) {
    Layer l;
    Node x;
    x.kind = OpKind::Input;
    x.name = "x";
    x.outputs = {TensorDesc{{rows, k}, t}};
    const NodeId xi = l.g.addNode(x);
    Node fc;
    fc.kind = OpKind::Linear;
    fc.name = "fc";
    fc.attrs.set("out_features", n);
    fc.attrs.set("bias", std::int64_t(0));
    l.id = l.g.addNode(fc);
    l.g.addEdge({xi, 0, l.id, 0});
    inferShapes(l.g);
    l.in = l.g.inputTensors(l.id);
    l.m = nodeMetrics(l.g, *l.g.node(l.id));
    return l;
}

cost::Estimate run(const cost::CostModel &model, const Layer &l, const hw::DeviceSpec &d, Attrs opts = {},
                   DType t = DType::F16) {
    const cost::LayerContext ctx{*l.g.node(l.id), l.in, l.m, t, opts, d};
    return model.estimateNode(ctx);
}
} // namespace

class TestGpuCpuLink : public QObject {
    Q_OBJECT
private slots:
    void gemmOnGpuByHand() {
        const Layer l = linear(1024, 4096, 4096, DType::F16);
        const auto e = run(cost::gpuModel(), l, testGpu());
        // 8 x 32 = 256 output tiles of 128x128 over 100 SMs: 3 waves, 256/300 of the SMs busy
        QCOMPARE(cost::waveEfficiency({1024, 4096, 4096, 1}, 100), 256.0 / 300.0);
        const double flops = 2.0 * 1024 * 4096 * 4096;
        QCOMPARE(e.computeTime, flops / (100e12 * 256.0 / 300.0)); // 402.65 us
        const double bytes = 1024.0 * 4096 * 2 + 4096.0 * 4096 * 2 + 1024.0 * 4096 * 2;
        QCOMPARE(e.memoryTime, bytes / 1e12); // 50.3 us
        QCOMPARE(e.latency, e.computeTime + cost::kGpuLaunchOverhead);
        QVERIFY(!e.memoryBound);
        QCOMPARE(e.energy, 300.0 * e.computeTime);
        QCOMPARE(e.weightBytes, 4096.0 * 4096 * 2);
    }

    void skinnyGemmIsMemoryBoundAndPaysTheLaunch() {
        const Layer l = linear(1, 4096, 4096, DType::F16); // one token: a matrix-vector product
        const auto e = run(cost::gpuModel(), l, testGpu());
        QVERIFY(e.memoryBound);
        QCOMPARE(cost::waveEfficiency({1, 4096, 4096, 1}, 100), 32.0 / 100.0); // one wave of 32 tiles
        QVERIFY(e.latency > e.memoryTime);
    }

    void structuredSparsityNeverCostsMore() {
        const Layer l = linear(2048, 4096, 4096, DType::F16);
        const auto dense = run(cost::gpuModel(), l, testGpu());
        Attrs s24;
        s24.set("sparsity", std::string("2:4"));
        const auto sparse = run(cost::gpuModel(), l, testGpu(), s24);
        QVERIFY(sparse.computeTime <= dense.computeTime);
        QCOMPARE(sparse.computeTime, dense.computeTime / 2); // sparse peak is twice the dense one
        // half the fp16 values plus 2 bits of metadata each: 0.5 * (1 + 2/16)
        QCOMPARE(sparse.weightBytes, dense.weightBytes * 0.5625);
        Attrs sam;
        sam.set("sparsity", std::string("samoyeds"));
        const auto two = run(cost::gpuModel(), l, testGpu(), sam);
        QVERIFY(two.computeTime < sparse.computeTime);
        QVERIFY(two.weightBytes < sparse.weightBytes);
        // without Sparse Tensor Cores 2:4 gains no compute time, and never loses any
        hw::DeviceSpec old = testGpu();
        old.peakOpsSparse.clear();
        QCOMPARE(run(cost::gpuModel(), l, old, s24).computeTime, run(cost::gpuModel(), l, old).computeTime);
    }

    void moreBandwidthIsNeverSlower() {
        for (std::int64_t rows : {1, 16, 256, 4096}) {
            const Layer l = linear(rows, 2048, 2048, DType::F16);
            hw::DeviceSpec d = testGpu();
            double previous = 1e9;
            for (double bw : {1e11, 5e11, 1e12, 3e12, 1e13}) {
                d.memBandwidth = bw;
                const double lat = run(cost::gpuModel(), l, d).latency;
                QVERIFY(lat <= previous);
                previous = lat;
                QVERIFY(run(cost::cpuModel(), l, d).latency <= run(cost::cpuModel(), l, [&] {
                            auto slow = d;
                            slow.memBandwidth = bw / 2;
                            return slow;
                        }()).latency);
            }
        }
    }

    void dvfsLevelScalesThroughputAndPower() {
        hw::DeviceSpec pi;
        pi.id = "pi";
        pi.name = "Pi";
        pi.kind = hw::DeviceKind::Cpu;
        pi.peakOps = {{DType::F32, 40e9}};
        pi.memBandwidth = 4e9;
        pi.memCapacity = 4e9;
        pi.idlePower = 2;
        pi.maxPower = 7;
        pi.dvfs = {{600e6, 1.0 / 3, 3.0}, {1200e6, 2.0 / 3, 4.5}, {1800e6, 1.0, 6.4}};
        QCOMPARE(cost::dvfsLevel(pi, 1000e6).freqHz, 600e6); // the highest level not above the request
        QCOMPARE(cost::dvfsLevel(pi, 0).freqHz, 1800e6);
        const Layer l = linear(64, 1024, 1024, DType::F32);
        Attrs slow;
        slow.set("freq_hz", 600e6);
        const auto e600 = run(cost::cpuModel(), l, pi, slow, DType::F32);
        const auto e1800 = run(cost::cpuModel(), l, pi, {}, DType::F32);
        const double flops = 2.0 * 64 * 1024 * 1024;
        QCOMPARE(e1800.computeTime, flops / 40e9);
        QCOMPARE(e600.computeTime, flops / (40e9 / 3));
        QCOMPARE(e600.energy, (3.0 - 2.0) * e600.latency);   // power above idle at 600 MHz
        QCOMPARE(e1800.energy, (6.4 - 2.0) * e1800.latency);
    }

    void edgeTpuRunsInt8OnlyAndStreamsWhatDoesNotFit() {
        hw::DeviceSpec tpu;
        tpu.id = "coral";
        tpu.name = "Coral";
        tpu.kind = hw::DeviceKind::Npu;
        tpu.peakOps = {{DType::I8, 4e12}};
        tpu.memBandwidth = 320e6; // USB 3
        tpu.memCapacity = 8e6;
        tpu.onchipMemory = 8e6;
        tpu.idlePower = 0.5;
        tpu.maxPower = 2.5;
        const Layer l = linear(1, 4096, 4096, DType::F32);
        std::string reason;
        const cost::LayerContext f32{*l.g.node(l.id), l.in, l.m, DType::F32, {}, tpu};
        QCOMPARE(cost::cpuModel().coverage(f32, &reason), 0.0);
        QVERIFY(reason.find("int8") != std::string::npos);
        const auto e = run(cost::cpuModel(), l, tpu, {}, DType::I8);
        // 16.8 MB of int8 weights, 8 MB on chip: the rest crosses USB every inference
        const double streamed = 4096.0 * 4096 - 8e6;
        QCOMPARE(e.memoryTime, (streamed + 4096 + 4096) / 320e6);
        QCOMPARE(std::string(e.source), std::string("npu-roofline"));
    }

    void transfersOverOneAndTwoHops() {
        hw::Platform p;
        hw::DeviceSpec s = testGpu();
        p.devices = {{"a", s, {}}, {"b", s, {}}, {"c", s, {}}, {"d", s, {}}};
        hw::LinkSpec l{"l", "L", "test", {}, 10e9, 5e-6, 1e-10};
        p.links = {{"ab", "a", "b", l}, {"bc", "b", "c", l}};
        const cost::LinkRoutes routes(p);
        const auto one = routes.transfer(1e6, 0, 1);
        QCOMPARE(one.latency, 5e-6 + 1e6 / 10e9); // 105 us
        QCOMPARE(one.energy, 1e-4);
        const auto two = routes.transfer(1e6, 0, 2);
        QCOMPARE(two.hops, 2);
        QCOMPARE(two.latency, 2 * one.latency); // store and forward at b
        QVERIFY(!routes.connected(0, 3));
        QCOMPARE(routes.transfer(1e6, 2, 2).latency, 0.0);
    }
};

QTEST_APPLESS_MAIN(TestGpuCpuLink)
#include "tst_gpu_cpu_link.moc"
