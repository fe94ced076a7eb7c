// Formulas against values computed by hand in the comments.
#include "graph/graph.h"
#include "graph/node_metrics.h"
#include "graph/shape_inference.h"

#include <QtTest>

using namespace seaside::graph;

namespace {
struct OneOp {
    Graph g;
    NodeId op = 0;
};

OneOp single(std::vector<std::int64_t> shape, Node node, DType t = DType::F32) {
    OneOp o;
    Node in;
    in.kind = OpKind::Input;
    in.name = "x";
    in.outputs = {TensorDesc{std::move(shape), t}};
    const NodeId x = o.g.addNode(in);
    node.name = "op";
    o.op = o.g.addNode(node);
    o.g.addEdge({x, 0, o.op, 0});
    if (!inferShapes(o.g).ok())
        qFatal("shape inference failed");
    return o;
}
} // namespace

class TestNodeMetrics : public QObject {
    Q_OBJECT
private slots:
    void linearWithBias() {
        Node n;
        n.kind = OpKind::Linear;
        n.attrs.set("out_features", std::int64_t(5));
        auto o = single({3, 10}, n);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(m.params, 55.0);            // 10*5 + 5
        QCOMPARE(m.macs, 150.0);             // 3 rows * 10 * 5
        QCOMPARE(m.flops, 315.0);            // 2*150 + 3*5 bias adds
        QCOMPARE(m.bytesRead, 340.0);        // 30 inputs + 55 weights, 4 bytes each
        QCOMPARE(m.bytesWritten, 60.0);      // 15 outputs * 4
    }

    void convWithGroupsAndStride() {
        Node n;
        n.kind = OpKind::Conv;
        n.attrs.set("out_channels", std::int64_t(64));
        n.attrs.set("kernel", std::vector<std::int64_t>{3, 3});
        n.attrs.set("stride", std::vector<std::int64_t>{2, 2});
        n.attrs.set("pads", std::vector<std::int64_t>{1, 1, 1, 1});
        n.attrs.set("groups", std::int64_t(4));
        auto o = single({1, 32, 56, 56}, n);
        const Node &c = *o.g.node(o.op);
        // (56 + 1 + 1 - 3) / 2 + 1 = 28
        QCOMPARE(c.outputs[0].shape, (std::vector<std::int64_t>{1, 64, 28, 28}));
        const auto m = nodeMetrics(o.g, c);
        QCOMPARE(m.params, 4672.0);          // 64 * (32/4) * 3*3 + 64
        QCOMPARE(m.macs, 3612672.0);         // 64*28*28 outputs * 8 * 9
        QCOMPARE(m.flops, 7275520.0);        // 2 * macs + 50176 bias adds
    }

    void dilatedConv1d() {
        Node n;
        n.kind = OpKind::Conv;
        n.attrs.set("out_channels", std::int64_t(4));
        n.attrs.set("kernel", std::vector<std::int64_t>{3});
        n.attrs.set("dilation", std::vector<std::int64_t>{2});
        n.attrs.set("bias", std::int64_t(0));
        auto o = single({1, 2, 20}, n);
        // span = 2*(3-1)+1 = 5, out = 20 - 5 + 1 = 16
        QCOMPARE(o.g.node(o.op)->outputs[0].shape, (std::vector<std::int64_t>{1, 4, 16}));
        QCOMPARE(nodeMetrics(o.g, *o.g.node(o.op)).macs, 4.0 * 16 * 2 * 3);
    }

    void multiHeadAttention() {
        Node n;
        n.kind = OpKind::Attention;
        n.attrs.set("heads", std::int64_t(8));
        auto o = single({2, 128, 512}, n);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(m.params, 1048576.0);       // Q, K, V, O: 4 * 512 * 512
        // projections 2*128 tokens * 4*512*512, scores and weighted sum 2 * (2*8*128*128*64)
        QCOMPARE(m.macs, 268435456.0 + 33554432.0);
        QCOMPARE(m.stateBytes, 1048576.0);   // K and V: 2 * 2 * 128 * 8 * 64 * 4 bytes
    }

    void groupedQueryAttentionHasSmallerKv() {
        Node n;
        n.kind = OpKind::Attention;
        n.attrs.set("heads", std::int64_t(32));
        n.attrs.set("kv_heads", std::int64_t(8));
        n.attrs.set("head_dim", std::int64_t(128));
        auto o = single({1, 16, 4096}, n, DType::BF16);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(m.params, 4096.0 * 128 * (2 * 32 + 2 * 8)); // Mixtral: 41.9 M per layer
        QCOMPARE(m.stateBytes, 2.0 * 16 * 8 * 128 * 2);
        QCOMPARE(m.weightBytes, m.params * 2);
    }

    void mixtureOfExperts() {
        Node n;
        n.kind = OpKind::MoE;
        n.attrs.set("hidden", std::int64_t(1024));
        n.attrs.set("intermediate", std::int64_t(2048));
        n.attrs.set("experts", std::int64_t(8));
        n.attrs.set("top_k", std::int64_t(2));
        auto o = single({4, 16, 1024}, n);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(m.params, 50339840.0);      // 8 experts * 3 * 1024 * 2048 + router 1024*8
        QCOMPARE(m.macs, 805830656.0);       // 64 tokens * (1024*8 + 2 * 3*1024*2048)
    }

    void sharedExpertsAddToEveryToken() {
        Node n;
        n.kind = OpKind::MoE;
        n.attrs.set("hidden", std::int64_t(16));
        n.attrs.set("intermediate", std::int64_t(8));
        n.attrs.set("experts", std::int64_t(4));
        n.attrs.set("top_k", std::int64_t(1));
        n.attrs.set("shared_experts", std::int64_t(2));
        auto o = single({10, 16}, n);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(m.params, 4.0 * 3 * 16 * 8 + 2.0 * 3 * 16 * 8 + 16 * 4);
        QCOMPARE(m.macs, 10.0 * (16 * 4 + 1 * 3 * 16 * 8 + 2 * 3 * 16 * 8));
    }

    void gcnLayer() {
        Node n;
        n.kind = OpKind::GnnConv;
        n.attrs.set("variant", std::string("gcn"));
        n.attrs.set("out_features", std::int64_t(8));
        n.attrs.set("num_edges", std::int64_t(400));
        auto o = single({100, 16}, n);
        const auto m = nodeMetrics(o.g, *o.g.node(o.op));
        QCOMPARE(o.g.node(o.op)->outputs[0].shape, (std::vector<std::int64_t>{100, 8}));
        QCOMPARE(m.params, 136.0);           // 16*8 + 8
        QCOMPARE(m.macs, 16800.0);           // 100*16*8 transform + (400 edges + 100 self loops) * 8
    }

    void graphSageAndGat() {
        Node sage;
        sage.kind = OpKind::GnnConv;
        sage.attrs.set("variant", std::string("sage"));
        sage.attrs.set("out_features", std::int64_t(8));
        sage.attrs.set("num_edges", std::int64_t(400));
        auto s = single({100, 16}, sage);
        QCOMPARE(nodeMetrics(s.g, *s.g.node(s.op)).params, 2.0 * 16 * 8 + 8);
        QCOMPARE(nodeMetrics(s.g, *s.g.node(s.op)).macs, 2.0 * 100 * 16 * 8 + 400 * 16);

        Node gat = sage;
        gat.attrs.set("variant", std::string("gat"));
        gat.attrs.set("heads", std::int64_t(4));
        auto g = single({100, 16}, gat);
        QCOMPARE(g.g.node(g.op)->outputs[0].shape, (std::vector<std::int64_t>{100, 32}));
        QCOMPARE(nodeMetrics(g.g, *g.g.node(g.op)).params, 16.0 * 4 * 8 + 2 * 4 * 8 + 4 * 8);
    }

    void explicitParamsWin() {
        Node n;
        n.kind = OpKind::Custom;
        n.attrs.set("params", std::int64_t(1234));
        n.outputs = {TensorDesc{{4}, DType::F32}};
        auto m = nodeMetrics(n, {TensorDesc{{4}, DType::F32}});
        QCOMPARE(m.params, 1234.0);
        QCOMPARE(m.bytesRead, 16.0 + 1234 * 4);
    }

    void blockCountsItsBodyRepeatTimes() {
        auto body = std::make_shared<Graph>();
        Node in;
        in.kind = OpKind::Input;
        in.name = "x";
        in.outputs = {TensorDesc{{3, 10}, DType::F32}};
        const NodeId x = body->addNode(in);
        Node fc;
        fc.kind = OpKind::Linear;
        fc.name = "fc";
        fc.attrs.set("out_features", std::int64_t(5));
        const NodeId f = body->addNode(fc);
        body->addEdge({x, 0, f, 0});
        QVERIFY(inferShapes(*body).ok());
        Node blk;
        blk.kind = OpKind::Block;
        blk.body = body;
        blk.repeat = 4;
        const auto m = nodeMetrics(blk, {});
        QCOMPARE(m.params, 4 * 55.0);
        QCOMPARE(m.macs, 4 * 150.0);
    }
};

QTEST_APPLESS_MAIN(TestNodeMetrics)
#include "tst_node_metrics.moc"
