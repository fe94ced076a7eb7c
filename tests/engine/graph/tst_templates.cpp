#include "graph/node_metrics.h"
#include "graph/shape_inference.h"
#include "graph/templates/templates.h"

#include <QtTest>
#include <functional>

using namespace seaside::graph;

namespace {
bool allShapesKnown(const Graph &g, std::string *bad) {
    for (const Node &n : g.nodes()) {
        for (const auto &t : n.outputs)
            if (!t.known()) {
                *bad = n.name;
                return false;
            }
        if (n.body && !allShapesKnown(*n.body, bad))
            return false;
    }
    return true;
}
} // namespace

class TestTemplates : public QObject {
    Q_OBJECT
private slots:
    void everyTemplateBuildsWithKnownShapes() {
        QVERIFY(templates::templateList().size() >= 19);
        for (const auto &t : templates::templateList()) {
            auto g = templates::buildTemplate(t.id);
            QVERIFY2(g.ok(), (t.id + ": " + (g.ok() ? "" : g.error().message)).c_str());
            std::string bad;
            QVERIFY2(allShapesKnown(*g, &bad), (t.id + ": node " + bad + " has an unknown shape").c_str());
            QVERIFY2(!t.source.empty(), t.id.c_str());
            QVERIFY(graphMetrics(*g).params > 0);
        }
    }

    void publishedParameterCounts_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("params");
        QTest::addColumn<double>("tolerance");
        // torchvision / Hugging Face parameter counts
        QTest::newRow("resnet50") << "resnet50" << 25557032.0 << 0.0;
        QTest::newRow("vgg16") << "vgg16" << 138357544.0 << 0.0;
        QTest::newRow("mobilenetv2") << "mobilenetv2" << 3504872.0 << 0.0;
        QTest::newRow("bert-base") << "bert-base" << 109482240.0 << 0.0;
        QTest::newRow("vit-b16") << "vit-b16" << 86567656.0 << 0.0;
        QTest::newRow("mixtral") << "mixtral-8x7b" << 46702792704.0 << 0.0;
        QTest::newRow("deepseek") << "deepseek-moe-16b" << 16.4e9 << 0.01;
        QTest::newRow("qwen2-moe") << "qwen2-moe" << 57.4e9 << 0.01;
        QTest::newRow("gcn-cora") << "gcn-cora" << double(1433 * 128 + 128 + 128 * 7 + 7) << 0.0;
    }

    void publishedParameterCounts() {
        QFETCH(QString, id);
        QFETCH(double, params);
        QFETCH(double, tolerance);
        auto g = templates::buildTemplate(id.toStdString());
        QVERIFY(g.ok());
        const double got = graphMetrics(*g).params;
        QVERIFY2(std::abs(got - params) <= tolerance * params,
                 qPrintable(QStringLiteral("%1: %2 params, expected %3").arg(id).arg(got, 0, 'f', 0).arg(params, 0, 'f', 0)));
    }

    void batchScalesWorkNotWeights() {
        auto one = templates::buildTemplate("resnet50", {1, 0});
        auto four = templates::buildTemplate("resnet50", {4, 0});
        QVERIFY(one.ok() && four.ok());
        QCOMPARE(graphMetrics(*four).params, graphMetrics(*one).params);
        QCOMPARE(graphMetrics(*four).macs, 4 * graphMetrics(*one).macs);
        // ResNet-50 at 224x224 is about 4.1 GMACs per image
        QVERIFY(std::abs(graphMetrics(*one).macs - 4.1e9) < 0.1e9);
    }

    // A longer sequence set on the input reaches every layer inside the blocks: the design then is
    // the template built for that length, bodies included, and the old body is left as it was.
    void blocksFollowWhatReachesThem() {
        auto g = templates::buildTemplate("mixtral-8x7b", {1, 512});
        auto longer = templates::buildTemplate("mixtral-8x7b", {1, 2048});
        auto again = templates::buildTemplate("mixtral-8x7b", {1, 512});
        QVERIFY(g.ok() && longer.ok() && again.ok());
        const Node *block = nullptr;
        for (const Node &n : g->nodes())
            if (n.kind == OpKind::Block)
                block = &n;
        QVERIFY(block);
        const std::shared_ptr<const Graph> oldBody = block->body;
        for (const Node &n : g->nodes())
            if (n.kind == OpKind::Input)
                g->node(n.id)->outputs = longer->node(n.id)->outputs;
        QVERIFY(inferShapes(*g).ok());
        QVERIFY(*g == *longer);
        QCOMPARE(graphMetrics(*g).macs, graphMetrics(*longer).macs);
        QVERIFY(graphMetrics(*g).macs > 3.9 * graphMetrics(*again).macs);
        QVERIFY(*oldBody == *again->findByName(block->name)->body);
    }

    void blocksStaySmall() {
        auto g = templates::buildTemplate("mixtral-8x7b");
        QVERIFY(g.ok());
        QVERIFY(g->size() < 10); // 32 layers are one block over one shared body
    }

    void unknownTemplateListsTheValidOnes() {
        auto g = templates::buildTemplate("gpt-17");
        QVERIFY(!g.ok());
        QVERIFY(g.error().message.find("gpt-17") != std::string::npos);
        QVERIFY(g.error().message.find("resnet50") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestTemplates)
#include "tst_templates.moc"
