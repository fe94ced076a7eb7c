// ONNX import on the files libonnx-testdata ships and on models built here with the ONNX API.
#include "graph/import/onnx_import.h"
#include "graph/node_metrics.h"
#include "graph/shape_inference.h"
#include "plan/design.h"
#include "store/design_json.h"

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

using namespace seaside::graph;
namespace fs = std::filesystem;

namespace {
const std::string kData = SEASIDE_ONNX_TESTDATA;

void addValueInfo(onnx::ValueInfoProto *v, const std::string &name, std::vector<std::int64_t> dims,
                  const std::string &dynamicName = {}) {
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) {
        auto *dim = t->mutable_shape()->add_dim();
        if (d > 0)
            dim->set_dim_value(d);
        else
            dim->set_dim_param(dynamicName);
    }
}

onnx::TensorProto *addInitializer(onnx::GraphProto *g, const std::string &name, std::vector<std::int64_t> dims) {
    auto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    std::int64_t n = 1;
    for (auto d : dims) {
        t->add_dims(d);
        n *= d;
    }
    for (std::int64_t i = 0; i < n; ++i)
        t->add_float_data(0.5f);
    return t;
}

onnx::NodeProto *addNode(onnx::GraphProto *g, const std::string &op, const std::string &name,
                         std::vector<std::string> in, std::vector<std::string> out) {
    auto *n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto &i : in)
        n->add_input(i);
    for (auto &o : out)
        n->add_output(o);
    return n;
}

void setInts(onnx::NodeProto *n, const std::string &name, std::vector<std::int64_t> v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v)
        a->add_ints(x);
}

void setInt(onnx::NodeProto *n, const std::string &name, std::int64_t v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}

// An empty opset-13 model to build a graph in.
onnx::ModelProto opset13() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    return m;
}

// x[N,3,8,8] -> Conv(4 out, 3x3, pad 1) -> Relu -> Flatten -> Gemm(256 -> 10) -> + Constant[10]
onnx::ModelProto smallCnn(std::int64_t batch) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("seaside-test");
    auto *op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    auto *g = m.mutable_graph();
    g->set_name("small");
    addValueInfo(g->add_input(), "x", {batch, 3, 8, 8}, "N");
    addInitializer(g, "w", {4, 3, 3, 3});
    addInitializer(g, "b", {4});
    addInitializer(g, "fcw", {10, 256});
    addInitializer(g, "fcb", {10});
    auto *conv = addNode(g, "Conv", "conv", {"x", "w", "b"}, {"c"});
    setInts(conv, "pads", {1, 1, 1, 1});
    setInts(conv, "kernel_shape", {3, 3});
    addNode(g, "Relu", "relu", {"c"}, {"r"});
    addNode(g, "Flatten", "flatten", {"r"}, {"f"});
    auto *gemm = addNode(g, "Gemm", "fc", {"f", "fcw", "fcb"}, {"y0"});
    auto *tb = gemm->add_attribute();
    tb->set_name("transB");
    tb->set_type(onnx::AttributeProto::INT);
    tb->set_i(1);
    auto *cst = addNode(g, "Constant", "offset", {}, {"k"});
    auto *val = cst->add_attribute();
    val->set_name("value");
    val->set_type(onnx::AttributeProto::TENSOR);
    val->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    val->mutable_t()->add_dims(10);
    for (int i = 0; i < 10; ++i)
        val->mutable_t()->add_float_data(1.0f);
    addNode(g, "Add", "add", {"y0", "k"}, {"y"});
    addValueInfo(g->add_output(), "y", {batch, 10}, "N");
    return m;
}

std::int64_t initializerElements(const onnx::ModelProto &m) {
    std::int64_t total = 0;
    for (const auto &t : m.graph().initializer()) {
        std::int64_t n = 1;
        for (auto d : t.dims())
            n *= d;
        total += n;
    }
    return total;
}
} // namespace

class TestOnnxImport : public QObject {
    Q_OBJECT
private slots:
    void builtModelCountsInitializersAndConstants() {
        auto r = importOnnxModel(smallCnn(2));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const auto m = graphMetrics(r->graph);
        // conv 4*3*3*3 + 4, fc 10*256 + 10, Constant 10
        QCOMPARE(m.params, double(108 + 4 + 2560 + 10 + 10));
        const Node *conv = r->graph.findByName("conv");
        QVERIFY(conv);
        QCOMPARE(conv->kind, OpKind::Conv);
        QCOMPARE(conv->outputs[0].shape, (std::vector<std::int64_t>{2, 4, 8, 8}));
        QCOMPARE(r->graph.findByName("fc")->kind, OpKind::Linear);
        QCOMPARE(r->graph.findByName("fc")->attrs.getInt("out_features"), std::int64_t(10));
        QCOMPARE(r->graph.findByName("offset")->kind, OpKind::Constant);
        // conv MACs: 2*4*8*8 outputs * 27; fc: 2 * 256 * 10
        QCOMPARE(m.macs, double(2 * 4 * 64 * 27 + 2 * 256 * 10));
        QCOMPARE(r->metadata.at("onnx.ir_version"), std::string("8"));
        QCOMPARE(r->metadata.at("onnx.opsets"), std::string("ai.onnx:13"));
    }

    void dynamicDimensionMustBeGiven() {
        auto r = importOnnxModel(smallCnn(-1));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("'x'") != std::string::npos);
        QVERIFY(r.error().message.find("'N'") != std::string::npos);
        QVERIFY(r.error().message.find("--input") != std::string::npos);

        OnnxImportOptions opts;
        opts.inputShapes["x"] = {5, 3, 8, 8};
        auto fixed = importOnnxModel(smallCnn(-1), opts);
        QVERIFY2(fixed.ok(), fixed.ok() ? "" : fixed.error().message.c_str());
        QCOMPARE(fixed->graph.findByName("fc")->outputs[0].shape, (std::vector<std::int64_t>{5, 10}));

        OnnxImportOptions wrong;
        wrong.inputShapes["nope"] = {1, 3, 8, 8};
        auto bad = importOnnxModel(smallCnn(1), wrong);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("nope") != std::string::npos);
    }

    void inputSpecParsing() {
        auto ok = parseInputShape("images=1,3,640,640");
        QVERIFY(ok.ok());
        QCOMPARE(ok->first, std::string("images"));
        QCOMPARE(ok->second, (std::vector<std::int64_t>{1, 3, 640, 640}));
        QVERIFY(!parseInputShape("images").ok());
        QVERIFY(!parseInputShape("images=1,x").ok());
        QVERIFY(!parseInputShape("images=1,-3").ok());
    }

    void unknownOpIsKeptAsCustomWithAWarning() {
        auto m = smallCnn(1);
        auto *g = m.mutable_graph();
        auto *dom = m.add_opset_import();
        dom->set_domain("com.example");
        dom->set_version(1);
        auto *weird = addNode(g, "FancyOp", "fancy", {"y"}, {"z"});
        weird->set_domain("com.example");
        g->mutable_output(0)->set_name("z");
        auto r = importOnnxModel(m);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const Node *f = r->graph.findByName("fancy");
        QVERIFY(f);
        QCOMPARE(f->kind, OpKind::Custom);
        QCOMPARE(f->opType, std::string("com.example::FancyOp"));
        QCOMPARE(r->warnings.size(), std::size_t(1));
        QVERIFY(r->warnings[0].find("FancyOp") != std::string::npos);
    }

    void cycleIsAnError() {
        onnx::ModelProto m;
        m.set_ir_version(8);
        m.add_opset_import()->set_version(13);
        auto *g = m.mutable_graph();
        addValueInfo(g->add_input(), "x", {1, 4});
        addNode(g, "Add", "first", {"x", "b"}, {"a"});
        addNode(g, "Relu", "second", {"a"}, {"b"});
        addValueInfo(g->add_output(), "b", {1, 4});
        auto r = importOnnxModel(m);
        QVERIFY(!r.ok());
        // named by a node on it: 'first' and 'second' feed each other
        const std::string &why = r.error().message;
        QVERIFY2(why.find("cycle through node 'first'") != std::string::npos ||
                     why.find("cycle through node 'second'") != std::string::npos,
                 why.c_str());
    }

    void realConvModelsFromTestdata() {
        const std::string path = kData + "/pytorch-converted/test_Conv2d_groups/model.onnx";
        if (!fs::exists(path))
            QSKIP("libonnx-testdata is not installed: runs wherever build.sh installed it, as in CI");
        auto r = importOnnxFile(path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        onnx::ModelProto proto;
        std::ifstream in(path, std::ios::binary);
        QVERIFY(proto.ParseFromIstream(&in));
        QCOMPARE(graphMetrics(r->graph).params, double(initializerElements(proto)));
        bool hasConv = false;
        for (const Node &n : r->graph.nodes())
            hasConv = hasConv || (n.kind == OpKind::Conv && n.attrs.getInt("groups") == 2);
        QVERIFY(hasConv);
        QVERIFY(!r->metadata.at("onnx.opsets").empty());
    }

    void everyTestdataModelImportsOrFailsCleanly() {
        const std::string dir = kData + "/pytorch-converted";
        if (!fs::exists(dir))
            QSKIP("libonnx-testdata is not installed: runs wherever build.sh installed it, as in CI");
        int imported = 0, refused = 0;
        for (const auto &e : fs::directory_iterator(dir)) {
            const auto model = e.path() / "model.onnx";
            if (!fs::exists(model))
                continue;
            auto r = importOnnxFile(model.string());
            if (r.ok()) {
                ++imported;
                QVERIFY(r->graph.topologicalOrder().ok());
            } else {
                ++refused;
                QVERIFY(r.error().message.find(model.string()) != std::string::npos);
            }
        }
        QVERIFY2(imported >= 50, qPrintable(QStringLiteral("%1 imported, %2 refused").arg(imported).arg(refused)));
    }

    // Every edit in the studio and every re-import of an exported design runs Seaside's own shape
    // rules over the graph. On every model of libonnx-testdata that imports, they must succeed and
    // agree with what ONNX's inference declared (they may only fill in dimensions ONNX left
    // unknown). Before this held, a Gemm with transB on two activations, a pool with ceil_mode or
    // a scalar times a tensor of unknown length made an imported design impossible to edit or
    // re-import, and Cast, Equal or ConvInteger took the wrong element type after an edit.
    // The importer compares the two and warns where they disagree (the assertion on warnings);
    // the design it returns carries the rules' shapes, which must come out of the rules, and out
    // of an export and a re-opening, unchanged.
    void seasideShapeRulesAgreeWithOnnx() {
        if (!fs::exists(kData))
            QSKIP("libonnx-testdata is not installed: runs wherever build.sh installed it, as in CI");
        int checked = 0;
        for (const auto &e : fs::recursive_directory_iterator(kData)) {
            if (e.path().filename() != "model.onnx")
                continue;
            auto r = importOnnxFile(e.path().string());
            if (!r) { // other refusals are the other tests' subject
                QVERIFY2(r.error().message.find("contradict") == std::string::npos, r.error().message.c_str());
                continue;
            }
            for (const std::string &w : r->warnings)
                QVERIFY2(w.find("Seaside's shape rule gives") == std::string::npos, w.c_str());
            Graph g = r->graph;
            const seaside::Status s = inferShapes(g);
            QVERIFY2(s.ok(), qPrintable(QString::fromStdString(e.path().string() + ": " + s.message())));
            QVERIFY2(g == r->graph, qPrintable(QString::fromStdString(e.path().string() + ": the rules change their own result")));
            // and re-opening the design (its JSON here; a project file settles the same way) gives it back
            seaside::plan::Design d;
            d.graph = r->graph;
            auto again = seaside::store::designFromJson(seaside::store::designToJson(d));
            QVERIFY2(again.ok(), qPrintable(QString::fromStdString(e.path().string() + ": " + (again ? "" : again.error().message))));
            QVERIFY2(again->graph == r->graph, qPrintable(QString::fromStdString(e.path().string() + ": re-opened, the design differs")));
            ++checked;
        }
        QVERIFY2(checked > 900, qPrintable(QString::number(checked)));
    }

    // Gemm on two activations is a matmul node that remembers ONNX's transA / transB: its shape,
    // its work (K from the transposed A) and an export and re-import all agree with ONNX.
    void gemmOnActivationsKeepsItsTransposes() {
        onnx::ModelProto m = opset13();
        auto *g = m.mutable_graph();
        addValueInfo(g->add_input(), "a", {6, 3}); // A^T is [3, 6]
        addValueInfo(g->add_input(), "b", {4, 6}); // B^T is [6, 4]
        auto *gemm = addNode(g, "Gemm", "product", {"a", "b"}, {"y"});
        setInt(gemm, "transA", 1);
        setInt(gemm, "transB", 1);
        addValueInfo(g->add_output(), "y", {3, 4});
        auto r = importOnnxModel(m);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const Node *p = r->graph.findByName("product");
        QVERIFY(p);
        QCOMPARE(p->kind, OpKind::MatMul);
        QCOMPARE(p->outputs[0].shape, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(nodeMetrics(*p, r->graph.inputTensors(p->id)).macs, 3.0 * 4 * 6);
        seaside::plan::Design d;
        d.graph = r->graph;
        auto again = seaside::store::designFromJson(seaside::store::designToJson(d));
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE(again->graph.findByName("product")->outputs[0].shape, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(again->graph.findByName("product")->attrs.getInt("trans_a"), std::int64_t(1));

        // on a weight, but with A transposed: still a product (a layer reads rows of x), K = 6
        onnx::ModelProto w = opset13();
        auto *gw = w.mutable_graph();
        addValueInfo(gw->add_input(), "a", {6, 3});
        addInitializer(gw, "weight", {6, 4});
        setInt(addNode(gw, "Gemm", "layer", {"a", "weight"}, {"y"}), "transA", 1);
        addValueInfo(gw->add_output(), "y", {3, 4});
        auto rw = importOnnxModel(w);
        QVERIFY2(rw.ok(), rw.ok() ? "" : rw.error().message.c_str());
        const Node *l = rw->graph.findByName("layer");
        QCOMPARE(l->kind, OpKind::MatMul);
        QCOMPARE(l->outputs[0].shape, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(nodeMetrics(*l, rw->graph.inputTensors(l->id)).macs, 3.0 * 4 * 6);
        QCOMPARE(nodeMetrics(*l, rw->graph.inputTensors(l->id)).params, 24.0);
    }

    // Models a fuzzer (or a broken exporter) makes: each is an error naming the node, not an
    // out-of-bounds write, an overflow, or a crash inside ONNX's shape inference.
    void malformedModelsAreErrors() {
        const auto expectError = [](const onnx::ModelProto &m, const std::string &expect) {
            auto r = importOnnxModel(m);
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.find(expect) != std::string::npos, r.error().message.c_str());
        };
        { // auto_pad SAME with one stride for a 3x3 kernel: the pads used to be written past their end
            onnx::ModelProto m = smallCnn(2);
            auto *conv = m.mutable_graph()->mutable_node(0);
            conv->mutable_attribute()->DeleteSubrange(0, 1); // the pads
            setInts(conv, "strides", {1});
            auto *pad = conv->add_attribute();
            pad->set_name("auto_pad");
            pad->set_type(onnx::AttributeProto::STRING);
            pad->set_s("SAME_UPPER");
            expectError(m, "'conv' (Conv): a kernel of rank 2 needs 2 strides");
        }
        { // a weight of 2^64 elements: its parameter count overflowed
            onnx::ModelProto m = smallCnn(2);
            auto *w = m.mutable_graph()->mutable_initializer(2); // fcw
            w->clear_float_data();
            w->clear_dims();
            w->add_dims(std::int64_t(1) << 32);
            w->add_dims(std::int64_t(1) << 32);
            expectError(m, "tensor 'fcw' has more elements than fit in 63 bits");
        }
        { // declared shapes that contradict each other, which ONNX's lenient inference lets through
          // (found by fuzzing): imported, the design could never be edited
            onnx::ModelProto m = opset13();
            auto *g = m.mutable_graph();
            addValueInfo(g->add_input(), "a", {2, 7});
            addValueInfo(g->add_input(), "b", {39, 4});
            addNode(g, "Gemm", "product", {"a", "b"}, {"y"});
            addValueInfo(g->add_output(), "y", {2, 4});
            expectError(m, "the model's shapes contradict each other: node 'product' (matmul): inner dimensions differ: [2,7] x [39,4]");
        }
        { // a node reading a value nothing provides: ONNX's inference dereferenced its missing type
            onnx::ModelProto m = smallCnn(2);
            addNode(m.mutable_graph(), "Shape", "shape", {"nowhere"}, {"s"});
            expectError(m, "'shape' (Shape) reads 'nowhere', which no graph input");
        }
        { // LayerNormalization's axis far out of range: ONNX 1.12's inference dies of it (SIGSEGV),
          // in the child process that runs it, not in this one
            onnx::ModelProto m;
            m.set_ir_version(8);
            auto *op = m.add_opset_import();
            op->set_domain("");
            op->set_version(17);
            auto *g = m.mutable_graph();
            g->set_name("norm");
            addValueInfo(g->add_input(), "x", {2, 3, 4, 5});
            addInitializer(g, "scale", {3, 4, 5});
            addInitializer(g, "bias", {3, 4, 5});
            auto *norm = addNode(g, "LayerNormalization", "norm", {"x", "scale", "bias"}, {"y", "mean"});
            auto *axis = norm->add_attribute();
            axis->set_name("axis");
            axis->set_type(onnx::AttributeProto::INT);
            axis->set_i(-65539);
            addValueInfo(g->add_output(), "y", {2, 3, 4, 5});
            auto r = importOnnxModel(m);
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.find("ONNX shape inference") != std::string::npos, r.error().message.c_str());
        }
        { // a Scan without its attributes: refused as control flow before ONNX's inference reads them
            onnx::ModelProto m = smallCnn(2);
            addNode(m.mutable_graph(), "Scan", "scan", {"x"}, {"z"});
            expectError(m, "'scan' (Scan) holds sub-graphs");
        }
    }

    void controlFlowIsRefusedNamingTheNode() {
        const std::string path = kData + "/node/test_if/model.onnx";
        if (!fs::exists(path))
            QSKIP("libonnx-testdata is not installed: runs wherever build.sh installed it, as in CI");
        auto r = importOnnxFile(path);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("(If)") != std::string::npos, r.error().message.c_str());
    }

    void truncatedAndForeignFilesAreErrors() {
        QTemporaryDir dir;
        const std::string truncated = dir.filePath("truncated.onnx").toStdString();
        std::string bytes;
        smallCnn(1).SerializeToString(&bytes);
        std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        const std::string text = dir.filePath("notes.onnx").toStdString();
        std::ofstream(text) << "this is not a model";
        const struct {
            std::string file;
            const char *expect;
        } cases[] = {{truncated, "not a valid ONNX model"},
                     {text, "not a valid ONNX model"},
                     {dir.filePath("missing.onnx").toStdString(), "cannot open"}};
        for (const auto &c : cases) {
            auto r = importOnnxFile(c.file);
            QVERIFY2(!r.ok(), c.file.c_str());
            QVERIFY2(r.error().message.find(c.file) != std::string::npos, r.error().message.c_str());
            QVERIFY2(r.error().message.find(c.expect) != std::string::npos, r.error().message.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestOnnxImport)
#include "tst_onnx_import.moc"
