// Whole-plan evaluation: a schedule computed by hand, the properties a pipeline must have,
// every precheck failure, and the incremental path agreeing with a full evaluation.
#include "graph/shape_inference.h"
#include "graph/templates/templates.h"
#include "hw/catalogue.h"
#include "plan/evaluator.h"
#include "plan/max_batch.h"
#include "store/design_json.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <random>

using namespace seaside;
using namespace seaside::graph;

namespace {
hw::DeviceSpec gpu(const std::string &id) {
    hw::DeviceSpec d;
    d.id = id;
    d.name = id;
    d.kind = hw::DeviceKind::Gpu;
    d.peakOps = {{DType::F32, 10e12}};
    d.memBandwidth = 1e12;
    d.memCapacity = 16e9;
    d.idlePower = 20;
    d.maxPower = 220;
    return d;
}

// x -> a -> b -> y, each a [256, 1024] x [1024, 1024] linear layer
plan::Design chain() {
    plan::Design d;
    Node x;
    x.kind = OpKind::Input;
    x.name = "x";
    x.outputs = {TensorDesc{{256, 1024}, DType::F32}};
    const NodeId xi = d.graph.addNode(x);
    NodeId prev = xi;
    for (const char *name : {"a", "b"}) {
        Node fc;
        fc.kind = OpKind::Linear;
        fc.name = name;
        fc.attrs.set("out_features", std::int64_t(1024));
        fc.attrs.set("bias", std::int64_t(0));
        const NodeId id = d.graph.addNode(fc);
        d.graph.addEdge({prev, 0, id, 0});
        prev = id;
    }
    Node y;
    y.kind = OpKind::Output;
    y.name = "y";
    d.graph.addEdge({prev, 0, d.graph.addNode(y), 0});
    inferShapes(d.graph);
    d.platform.devices = {{"g0", gpu("g0"), {}}, {"g1", gpu("g1"), {}}};
    d.platform.links = {{"l", "g0", "g1", hw::LinkSpec{"link", "Link", "test", {}, 1e9, 1e-5, 1e-9}}};
    d.placement[d.graph.findByName("a")->id].device = "g0";
    d.placement[d.graph.findByName("b")->id].device = "g1";
    return d;
}

// The same design with its node ids spread near the top of their range: ids that sparse once made
// the evaluator size a table by the largest id (billions of entries); they must give the same estimate.
plan::Design withSparseIds(const plan::Design &d) {
    plan::Design s = d;
    s.graph = Graph();
    s.placement.clear();
    s.layout.clear();
    std::map<NodeId, NodeId> to;
    NodeId next = graph::kMaxNodeId - 100000;
    for (const Node &n : d.graph.nodes()) {
        Node copy = n;
        copy.id = to[n.id] = next;
        next += 997;
        s.graph.addNode(copy);
    }
    for (const Edge &e : d.graph.edges())
        s.graph.addEdge({to[e.src], e.srcPort, to[e.dst], e.dstPort});
    for (const auto &[id, cfg] : d.placement)
        s.placement[to[id]] = cfg;
    return s;
}

bool hasFailure(const plan::PlanEstimate &e, plan::Failure::Kind k, const std::string &text) {
    for (const auto &f : e.failures)
        if (f.kind == k && f.message.find(text) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT
private slots:
    void twoDeviceChainByHand() {
        const plan::Design d = chain();
        plan::Evaluator eval;
        const auto &e = eval.evaluate(d);
        QVERIFY(e.failures.empty());
        const auto &a = e.layers[1], &b = e.layers[2];
        // each layer by hand: 2 x 256 x 1024 x 1024 flops at 10 TFLOP/s (compute-bound: 6.3 MB at
        // 1 TB/s takes 6.3 us) plus one 4 us launch; energy is the power above idle while it computes
        const double compute = 2.0 * 256 * 1024 * 1024 / 10e12;
        QCOMPARE(a.cost.latency, compute + 4e-6);
        QCOMPARE(b.cost.latency, compute + 4e-6);
        QCOMPARE(a.cost.energy, 200 * compute);
        QCOMPARE(b.cost.energy, 200 * compute);
        const double transfer = 1e-5 + 256.0 * 1024 * 4 / 1e9; // 1 MiB over 1 GB/s: 1.06 ms
        QCOMPARE(b.start, a.finish + transfer);
        QCOMPARE(e.latency, a.cost.latency + transfer + b.cost.latency);
        // pipeline: the link (1.06 ms) is slower than either GPU (a few us)
        QCOMPARE(e.bottleneck, std::string("l"));
        QCOMPARE(e.throughput, 1 / transfer);
        const double energy = a.cost.energy + b.cost.energy + 2 * 20 * e.latency + 256.0 * 1024 * 4 * 1e-9;
        QCOMPARE(e.energy, energy);
        QCOMPARE(e.devices[0].peakMemory, 1024.0 * 1024 * 4 + 2 * 256.0 * 1024 * 4);
    }

    void sparseNodeIdsGiveTheSameEstimate() {
        plan::Design d = chain();
        d.placement.erase(d.graph.findByName("b")->id); // an unplaced layer too
        const plan::Design s = withSparseIds(d);
        QCOMPARE(s.graph.findByName("y")->id, graph::kMaxNodeId - 100000 + 3 * 997);
        plan::Evaluator dense, sparse;
        const auto &a = dense.evaluate(d);
        const auto &b = sparse.evaluate(s);
        QCOMPARE(b.latency, a.latency);
        QCOMPARE(b.energy, a.energy);
        QCOMPARE(b.layers.size(), a.layers.size());
        for (std::size_t i = 0; i < a.layers.size(); ++i) {
            QCOMPARE(b.layers[i].device, a.layers[i].device);
            QCOMPARE(b.layers[i].finish, a.layers[i].finish);
        }
        QCOMPARE(b.failures.size(), std::size_t(1));
        QVERIFY(hasFailure(b, plan::Failure::Kind::Unplaced, "'b'"));
        // the incremental path looks ids up the same way
        plan::Design placed = s;
        placed.placement[s.graph.findByName("b")->id].device = "g1";
        const auto &inc = sparse.update(placed, {s.graph.findByName("b")->id});
        plan::Evaluator fresh;
        QCOMPARE(inc.latency, fresh.evaluate(placed).latency);
        QVERIFY(inc.failures.empty());
    }

    void throughputNeverExceedsTheSlowestStage() {
        auto tpl = graph::templates::buildTemplate("resnet50");
        QVERIFY(tpl.ok());
        plan::Design d;
        d.graph = *tpl;
        const auto &cat = hw::defaultCatalogue();
        d.platform.devices = {{"a", *cat.device("nvidia-l4"), {}}, {"b", *cat.device("nvidia-rtx-4090"), {}}};
        d.platform.links = {{"p", "a", "b", *cat.link("pcie4-x16")}};
        int i = 0;
        for (const auto &n : d.graph.nodes())
            d.placement[n.id].device = (i++ / 4) % 2 ? "b" : "a";
        plan::Evaluator eval;
        const auto &e = eval.evaluate(d);
        QVERIFY2(e.failures.empty(), e.failures.empty() ? "" : e.failures[0].message.c_str());
        double slowest = 0;
        for (const auto &dev : e.devices)
            slowest = std::max(slowest, dev.busy);
        for (const auto &l : e.links)
            slowest = std::max(slowest, l.busy);
        QVERIFY(e.throughput <= 1 / slowest * (1 + 1e-12));
        QVERIFY(e.latency >= slowest); // one inference takes at least its slowest stage
        // and more link bandwidth is never slower
        plan::Design fast = d;
        fast.platform.links[0].spec.bandwidth *= 4;
        plan::Evaluator eval2;
        QVERIFY(eval2.evaluate(fast).latency <= e.latency);
    }

    void everyPrecheckFailure() {
        plan::Design d = chain();
        d.placement.erase(d.graph.findByName("b")->id);
        plan::Evaluator eval;
        QVERIFY(hasFailure(eval.precheck(d), plan::Failure::Kind::Unplaced, "'b'"));

        d = chain();
        hw::DeviceSpec int8only = gpu("npu");
        int8only.kind = hw::DeviceKind::Npu;
        int8only.peakOps = {{DType::I8, 4e12}};
        d.platform.devices[1].spec = int8only;
        QVERIFY(hasFailure(eval.precheck(d), plan::Failure::Kind::Unsupported, "fp32"));

        d = chain();
        d.platform.devices[0].spec.memCapacity = 1e6; // 1 MB cannot hold 4 MiB of weights
        const auto &mem = eval.precheck(d);
        QVERIFY(hasFailure(mem, plan::Failure::Kind::MemoryOverCapacity, "g0"));
        QCOMPARE(mem.failures[0].node, d.graph.findByName("a")->id);

        d = chain();
        d.platform.links.clear();
        QVERIFY(hasFailure(eval.precheck(d), plan::Failure::Kind::NoLinkPath, "no link path"));

        d = chain();
        hw::DeviceSpec fpga = gpu("fpga");
        fpga.kind = hw::DeviceKind::Fpga;
        fpga.clockHz = 300e6;
        fpga.fpga = hw::FpgaResources{100000, 200000, 100, 500, 0};
        d.platform.devices[1].spec = fpga;
        d.placement[d.graph.findByName("b")->id].options.set("unroll", std::int64_t(4096));
        QVERIFY(hasFailure(eval.precheck(d), plan::Failure::Kind::ResourcesOverBudget, "DSP"));

        d = chain();
        d.graph.addEdge({d.graph.findByName("b")->id, 0, d.graph.findByName("a")->id, 1});
        // named by a node on the cycle (a -> b -> a), whichever the search meets first
        const auto cyclic = eval.evaluate(d);
        QVERIFY(hasFailure(cyclic, plan::Failure::Kind::Cycle, "cycle through node 'a'") ||
                hasFailure(cyclic, plan::Failure::Kind::Cycle, "cycle through node 'b'"));
    }

    void incrementalMatchesFull() {
        auto j = nlohmann::json::parse(R"({"format": "seaside-design", "version": 1, "name": "t",
            "model": {"template": "mobilenetv2"},
            "platform": {"devices": [{"id": "gpu", "catalogue": "nvidia-l4"}, {"id": "pi", "catalogue": "raspberry-pi-5-8gb"},
                                     {"id": "jet", "catalogue": "nvidia-jetson-orin-nano-8gb"}],
                         "links": [{"id": "w", "a": "pi", "b": "gpu", "catalogue": "wifi6"}, {"id": "e", "a": "pi", "b": "jet", "catalogue": "eth-1g"}]},
            "placement": [{"match": "*", "device": "gpu"}]})");
        auto d = store::designFromJson(j);
        QVERIFY(d.ok());
        plan::Evaluator incremental;
        incremental.evaluate(*d);
        std::mt19937 rng(7);
        const char *devices[] = {"gpu", "pi", "jet"};
        std::vector<NodeId> layers;
        for (const auto &[id, cfg] : d->placement)
            layers.push_back(id);
        for (int step = 0; step < 40; ++step) {
            const NodeId id = layers[rng() % layers.size()];
            d->placement[id].device = devices[rng() % 3];
            if (step % 7 == 3)
                d->placement[id].dtype = "fp16";
            const auto &inc = incremental.update(*d, {id});
            plan::Evaluator fresh;
            const auto &full = fresh.evaluate(*d);
            QCOMPARE(inc.latency, full.latency);
            QCOMPARE(inc.energy, full.energy);
            QCOMPARE(inc.throughput, full.throughput);
            QCOMPARE(inc.failures.size(), full.failures.size());
            for (std::size_t i = 0; i < full.failures.size(); ++i) {
                QCOMPARE(int(inc.failures[i].kind), int(full.failures[i].kind));
                QCOMPARE(inc.failures[i].node, full.failures[i].node);
                QCOMPARE(inc.failures[i].device, full.failures[i].device);
                QCOMPARE(inc.failures[i].message, full.failures[i].message);
            }
            for (std::size_t i = 0; i < full.layers.size(); ++i) {
                QCOMPARE(inc.layers[i].device, full.layers[i].device);
                QCOMPARE(inc.layers[i].finish, full.layers[i].finish);
            }
        }
    }

    void samoyedsFormatFitsALargerBatch() {
        auto j = nlohmann::json::parse(R"({"format": "seaside-design", "version": 1, "name": "t",
            "model": {"template": "mixtral-8x7b", "batch": 4, "seq_len": 512},
            "platform": {"devices": [{"id": "gpu", "catalogue": "nvidia-h100-sxm"}, {"id": "gpu1", "catalogue": "nvidia-h100-sxm"}], "links": []},
            "placement": [{"match": "*", "device": "gpu", "dtype": "bf16"}]})");
        auto d = store::designFromJson(j);
        QVERIFY(d.ok());
        const auto dense = plan::maxBatch(*d, "gpu", "dense");
        const auto sparse = plan::maxBatch(*d, "gpu", "samoyeds");
        QVERIFY(dense.weightBytes > 85e9); // 46.7 B bf16 parameters do not fit one 80 GB H100
        QCOMPARE(dense.maxBatch, 0LL);
        QVERIFY(sparse.weightBytes < 0.35 * dense.weightBytes);
        QVERIFY(sparse.maxBatch > 0);
        QCOMPARE(dense.batch, 4.0);
        plan::Evaluator eval;
        QVERIFY(hasFailure(eval.precheck(*d), plan::Failure::Kind::MemoryOverCapacity, "gpu"));
    }
};

QTEST_APPLESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
