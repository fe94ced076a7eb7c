#include "graph/block_split.h"
#include "graph/graph.h"
#include "graph/node_metrics.h"
#include "graph/shape_inference.h"
#include "plan/auto_layout.h"

#include <QtTest>
#include <cstdint>

using namespace seaside::graph;

namespace {
Node make(OpKind k, const std::string &name) {
    Node n;
    n.kind = k;
    n.name = name;
    return n;
}
NodeId addInput(Graph &g, std::vector<std::int64_t> shape) {
    Node n = make(OpKind::Input, "x");
    n.outputs = {TensorDesc{std::move(shape), DType::F32}};
    return g.addNode(n);
}
// A block body: one layer between a [1, 8] input and an output, its shapes inferred.
std::shared_ptr<Graph> oneLayerBody(const Node &layer) {
    auto body = std::make_shared<Graph>();
    const NodeId in = addInput(*body, {1, 8});
    const NodeId l = body->addNode(layer);
    const NodeId out = body->addNode(make(OpKind::Output, "y"));
    body->addEdge({in, 0, l, 0});
    body->addEdge({l, 0, out, 0});
    if (!inferShapes(*body).ok())
        qFatal("the body's shapes do not infer");
    return body;
}
} // namespace

class TestGraph : public QObject {
    Q_OBJECT
private slots:
    void topologicalOrderFollowsEdges() {
        Graph g;
        const NodeId c = g.addNode(make(OpKind::Activation, "c"));
        const NodeId a = g.addNode(make(OpKind::Input, "a"));
        const NodeId b = g.addNode(make(OpKind::Linear, "b"));
        QVERIFY(g.addEdge({a, 0, b, 0}).ok());
        QVERIFY(g.addEdge({b, 0, c, 0}).ok());
        auto order = g.topologicalOrder();
        QVERIFY(order.ok());
        QCOMPARE(order->size(), std::size_t(3));
        QCOMPARE((*order)[0], a);
        QCOMPARE((*order)[1], b);
        QCOMPARE((*order)[2], c);
        QVERIFY(g.reachable(a, c));
        QVERIFY(!g.reachable(c, a));
    }

    void cycleIsReportedWithANodeName() {
        Graph g;
        const NodeId a = g.addNode(make(OpKind::Linear, "alpha"));
        const NodeId b = g.addNode(make(OpKind::Linear, "beta"));
        QVERIFY(g.addEdge({a, 0, b, 0}).ok());
        QVERIFY(g.addEdge({b, 0, a, 0}).ok());
        auto order = g.topologicalOrder();
        QVERIFY(!order.ok());
        QVERIFY(order.error().message.find("cycle") != std::string::npos);
        QVERIFY(order.error().message.find("alpha") != std::string::npos ||
                order.error().message.find("beta") != std::string::npos);
        QVERIFY(!inferShapes(g).ok());
    }

    void badEdgesAreRefused() {
        Graph g;
        const NodeId a = g.addNode(make(OpKind::Input, "a"));
        const NodeId b = g.addNode(make(OpKind::Linear, "b"));
        QVERIFY(!g.addEdge({a, 0, 99, 0}).ok());
        QVERIFY(g.addEdge({a, 0, b, 0}).ok());
        auto again = g.addEdge({a, 0, b, 0});
        QVERIFY(!again.ok());
        QVERIFY(again.message().find("already connected") != std::string::npos);
    }

    void removeNodeDropsItsEdges() {
        Graph g;
        const NodeId a = g.addNode(make(OpKind::Input, "a"));
        const NodeId b = g.addNode(make(OpKind::Linear, "b"));
        const NodeId c = g.addNode(make(OpKind::Output, "c"));
        g.addEdge({a, 0, b, 0});
        g.addEdge({b, 0, c, 0});
        QVERIFY(g.removeNode(b).ok());
        QCOMPARE(g.size(), std::size_t(2));
        QVERIFY(g.edges().empty());
        QVERIFY(g.inEdges(c).empty());
        QVERIFY(g.node(c) != nullptr);
        // ids stay stable and are never reused for a different node
        const NodeId d = g.addNode(make(OpKind::Linear, "d"));
        QVERIFY(d != a && d != c && d != b);
    }

    void shapesPropagateThroughConvPoolLinear() {
        Graph g;
        const NodeId x = addInput(g, {2, 3, 32, 32});
        Node conv = make(OpKind::Conv, "conv");
        conv.attrs.set("out_channels", std::int64_t(16));
        conv.attrs.set("kernel", std::vector<std::int64_t>{5, 5});
        const NodeId c = g.addNode(conv);
        Node pool = make(OpKind::Pool, "pool");
        pool.attrs.set("kernel", std::vector<std::int64_t>{2, 2});
        pool.attrs.set("stride", std::vector<std::int64_t>{2, 2});
        const NodeId p = g.addNode(pool);
        Node flat = make(OpKind::Reshape, "flatten");
        flat.attrs.set("shape", std::vector<std::int64_t>{0, -1});
        const NodeId f = g.addNode(flat);
        Node fc = make(OpKind::Linear, "fc");
        fc.attrs.set("out_features", std::int64_t(10));
        const NodeId l = g.addNode(fc);
        g.addEdge({x, 0, c, 0});
        g.addEdge({c, 0, p, 0});
        g.addEdge({p, 0, f, 0});
        g.addEdge({f, 0, l, 0});
        QVERIFY(inferShapes(g).ok());
        QCOMPARE(g.node(c)->outputs[0].shape, (std::vector<std::int64_t>{2, 16, 28, 28}));
        QCOMPARE(g.node(p)->outputs[0].shape, (std::vector<std::int64_t>{2, 16, 14, 14}));
        QCOMPARE(g.node(f)->outputs[0].shape, (std::vector<std::int64_t>{2, 16 * 14 * 14}));
        QCOMPARE(g.node(l)->outputs[0].shape, (std::vector<std::int64_t>{2, 10}));
    }

    // ONNX pooling's ceil_mode counts a last, partial window; a stride near 2^63 must not overflow.
    void ceilModePooling() {
        for (const auto &[stride, want] : {std::pair<std::int64_t, std::int64_t>{2, 4}, {3, 3}, {INT64_MAX, 2}}) {
            Graph g;
            const NodeId x = addInput(g, {1, 1, 8, 8});
            Node pool = make(OpKind::Pool, "pool");
            pool.attrs.set("kernel", std::vector<std::int64_t>{3, 3});
            pool.attrs.set("stride", std::vector<std::int64_t>{stride, stride});
            pool.attrs.set("ceil_mode", std::int64_t(1));
            const NodeId p = g.addNode(pool);
            g.addEdge({x, 0, p, 0});
            QVERIFY(inferShapes(g).ok());
            // (8 - 3) / stride, rounded up, + 1: 4 at stride 2 (floor would give 3), 3 at 3, 2 at 2^63 - 1
            QCOMPARE(g.node(p)->outputs[0].shape, (std::vector<std::int64_t>{1, 1, want, want}));
        }
    }

    // New ids never pass kMaxNodeId: a design holding the largest id must still take new nodes,
    // or its next save would hold an id no loader accepts.
    void newIdsStayInRange() {
        Graph g;
        Node top = make(OpKind::Input, "top");
        top.id = kMaxNodeId;
        QCOMPARE(g.addNode(top), kMaxNodeId);
        const NodeId a = g.addNode(make(OpKind::Activation, "a")), b = g.addNode(make(OpKind::Activation, "b"));
        QVERIFY(a >= 1 && a < kMaxNodeId && b >= 1 && b < kMaxNodeId && a != b);
        const auto ids = g.unusedIds(3);
        QCOMPARE(ids.size(), std::size_t(3));
        for (NodeId id : ids)
            QVERIFY(id >= 1 && id <= kMaxNodeId && !g.node(id));
        Graph small;
        small.addNode(make(OpKind::Input, "x"));
        QCOMPARE(small.unusedIds(2), (std::vector<NodeId>{2, 3})); // after the largest, while there is room
    }

    void impossibleShapesNameTheNode() {
        Graph g;
        const NodeId x = addInput(g, {1, 6, 8, 8});
        Node conv = make(OpKind::Conv, "grouped");
        conv.attrs.set("out_channels", std::int64_t(8));
        conv.attrs.set("groups", std::int64_t(4)); // 6 input channels are not divisible by 4
        conv.attrs.set("kernel", std::vector<std::int64_t>{3, 3});
        const NodeId c = g.addNode(conv);
        g.addEdge({x, 0, c, 0});
        auto s = inferShapes(g);
        QVERIFY(!s.ok());
        QVERIFY(s.message().find("grouped") != std::string::npos);
        QVERIFY(s.message().find("divisible") != std::string::npos);

        Graph h;
        const NodeId y = addInput(h, {1, 3, 4, 4});
        Node big = make(OpKind::Conv, "too_big");
        big.attrs.set("out_channels", std::int64_t(8));
        big.attrs.set("kernel", std::vector<std::int64_t>{7, 7});
        const NodeId b = h.addNode(big);
        h.addEdge({y, 0, b, 0});
        auto t = inferShapes(h);
        QVERIFY(!t.ok());
        QVERIFY(t.message().find("too_big") != std::string::npos);
    }

    void layoutsFollowTheEdgesAndCanBeCancelled() {
        Graph g;
        NodeId prev = addInput(g, {1, 8});
        for (int i = 0; i < 400; ++i) { // past Graphviz's limit: the layered layout
            Node a = make(OpKind::Activation, "a" + std::to_string(i));
            const NodeId id = g.addNode(a);
            g.addEdge({prev, 0, id, 0});
            prev = id;
        }
        auto down = seaside::plan::autoLayout(g);
        QVERIFY(down.ok());
        QCOMPARE(down->size(), g.size());
        QVERIFY(down->at(prev).y > down->at(g.findByName("a0")->id).y); // top-down: later layers lower
        seaside::plan::LayoutOptions lr;
        lr.leftToRight = true;
        auto across = seaside::plan::autoLayout(g, lr);
        QVERIFY(across->at(prev).x > across->at(g.findByName("a0")->id).x);
        std::atomic<bool> stop{true};
        lr.cancel = &stop;
        auto cancelled = seaside::plan::layeredLayout(g, lr);
        QVERIFY(!cancelled.ok());
        QVERIFY(cancelled.error().message.find("cancelled") != std::string::npos);
        // small graphs go through Graphviz dot
        Graph small;
        const NodeId x = addInput(small, {1, 4});
        const NodeId y = small.addNode(make(OpKind::Activation, "y"));
        small.addEdge({x, 0, y, 0});
        auto dot = seaside::plan::graphvizLayout(small);
        QVERIFY(dot.ok());
        QVERIFY(dot->at(y).y > dot->at(x).y);
    }

    void splitBlockKeepsTotalsAndSharesTheBody() {
        Node fc = make(OpKind::Linear, "fc");
        fc.attrs.set("out_features", std::int64_t(8));
        const std::shared_ptr<Graph> body = oneLayerBody(fc);
        const NodeId bf = body->findByName("fc")->id;

        Graph g;
        const NodeId x = addInput(g, {1, 8});
        Node blk = make(OpKind::Block, "layers");
        blk.body = body;
        blk.repeat = 7;
        const NodeId b = g.addNode(blk);
        const NodeId o = g.addNode(make(OpKind::Output, "out"));
        g.addEdge({x, 0, b, 0});
        g.addEdge({b, 0, o, 0});
        QVERIFY(inferShapes(g).ok());
        const double before = graphMetrics(g).params;
        QCOMPARE(before, 7.0 * (8 * 8 + 8));

        QVERIFY(splitBlock(g, "layers", 3).ok());
        QCOMPARE(graphMetrics(g).params, before);
        const Node *p0 = g.findByName("layers.p0");
        const Node *p2 = g.findByName("layers.p2");
        QVERIFY(p0 && p2);
        QCOMPARE(p0->repeat, std::int64_t(3));
        QCOMPARE(p2->repeat, std::int64_t(2));
        QCOMPARE(p0->body.get(), p2->body.get()); // one body, shared
        QVERIFY(g.reachable(x, o));
        QVERIFY(!splitBlock(g, "layers.p0", 9).ok());
        QVERIFY(!splitBlock(g, "nope", 2).ok());

        // a batch of 2 on the input: both parts fed alike take one new body, the old one untouched
        const double macsOfOne = graphMetrics(g).macs;
        QVERIFY(macsOfOne > 0);
        g.node(x)->outputs = {TensorDesc{{2, 8}, DType::F32}};
        QVERIFY(inferShapes(g).ok());
        p0 = g.findByName("layers.p0");
        p2 = g.findByName("layers.p2");
        QVERIFY(p0->body != body);
        QCOMPARE(p0->body.get(), p2->body.get());
        QCOMPARE(p0->body->node(bf)->outputs[0].shape, (std::vector<std::int64_t>{2, 8}));
        QCOMPARE(p2->outputs[0].shape, (std::vector<std::int64_t>{2, 8}));
        QCOMPARE(body->node(bf)->outputs[0].shape, (std::vector<std::int64_t>{1, 8}));
        QCOMPARE(graphMetrics(g).macs, 2 * macsOfOne); // two rows through the 7 layers
    }

    // What a body cannot take fails naming the block: a reshape to 8 values fed 16.
    void bodyThatCannotTakeItsInputNamesTheBlock() {
        Node r = make(OpKind::Reshape, "r");
        r.attrs.set("shape", std::vector<std::int64_t>{8});
        const std::shared_ptr<Graph> body = oneLayerBody(r);
        Graph g;
        const NodeId x = addInput(g, {1, 8});
        Node blk = make(OpKind::Block, "flatten");
        blk.body = body;
        const NodeId b = g.addNode(blk);
        g.addEdge({x, 0, b, 0});
        QVERIFY(inferShapes(g).ok());
        g.node(x)->outputs = {TensorDesc{{2, 8}, DType::F32}};
        const seaside::Status s = inferShapes(g);
        QVERIFY(!s.ok());
        QVERIFY2(s.message().find("in block 'flatten': node 'r' (reshape)") != std::string::npos, s.message().c_str());

        // an edge into an input the body does not have
        g.node(x)->outputs = {TensorDesc{{1, 8}, DType::F32}};
        const NodeId x2 = addInput(g, {1, 8});
        QVERIFY(g.addEdge({x2, 0, b, 1}).ok());
        const seaside::Status port = inferShapes(g);
        QVERIFY(!port.ok());
        QVERIFY2(port.message().find("block 'flatten' is fed on input 1, but its body takes 1 input(s)") != std::string::npos,
                 port.message().c_str());
    }
};

QTEST_APPLESS_MAIN(TestGraph)
#include "tst_graph.moc"
