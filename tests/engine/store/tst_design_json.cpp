#include "graph/shape_inference.h"
#include "store/design_json.h"

#include <QtTest>
#include <nlohmann/json.hpp>

using namespace seaside;
using nlohmann::json;

namespace {
json sample() {
    return json::parse(R"({
      "format": "seaside-design", "version": 1, "name": "t",
      "model": {"template": "vgg16"},
      "platform": {"devices": [{"id": "pi", "catalogue": "raspberry-pi-4b-4gb"}, {"id": "gpu", "catalogue": "nvidia-l4"}],
                   "links": [{"id": "w", "a": "pi", "b": "gpu", "catalogue": "wifi6"}]},
      "placement": [{"match": "*", "device": "gpu"}, {"match": "conv1_*", "device": "pi", "options": {"freq_hz": 1.2e9}}],
      "layout": {"conv1_1": [10, 20]}
    })");
}
} // namespace

class TestDesignJson : public QObject {
    Q_OBJECT
private slots:
    void templatesCatalogueAndGlobsResolve() {
        auto d = store::designFromJson(sample());
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        const auto *c11 = d->graph.findByName("conv1_1");
        const auto *fc8 = d->graph.findByName("fc8");
        QCOMPARE(d->placement.at(c11->id).device, std::string("pi"));
        QCOMPARE(d->placement.at(c11->id).options.getDouble("freq_hz"), 1.2e9);
        QCOMPARE(d->placement.at(fc8->id).device, std::string("gpu"));
        QCOMPARE(d->layout.at(c11->id).x, 10.0);
        QCOMPARE(d->platform.links[0].spec.id, std::string("wifi6"));
        QVERIFY(!d->placement.count(d->graph.findByName("image")->id)); // inputs are not layers
    }

    void exportImportRoundTrips() {
        auto d = store::designFromJson(sample());
        QVERIFY(d.ok());
        const json exported = store::designToJson(*d);
        auto back = store::designFromJson(exported);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(back->graph == d->graph);
        QVERIFY(back->platform == d->platform);
        QVERIFY(back->placement == d->placement);
        QVERIFY(*back == *d);
        QCOMPARE(store::designToJson(*back).dump(), exported.dump()); // stable text: diffable
    }

    void sharedBodiesAreWrittenOnce() {
        json j = sample();
        j["model"] = {{"template", "mixtral-8x7b"}, {"split_blocks", {{"layers.0-31", 4}}}};
        j["placement"] = json::array();
        auto d = store::designFromJson(j);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        const json g = store::graphToJson(d->graph);
        QCOMPARE(g["bodies"].size(), std::size_t(1));
        auto back = store::graphFromJson(g);
        QVERIFY(back.ok());
        QVERIFY(*back == d->graph);

        // equal bodies held apart (as blocks re-fed after an edit and its undo hold them) are
        // written once too, and read back shared
        std::vector<graph::NodeId> blocks;
        for (const auto &n : d->graph.nodes())
            if (n.body)
                blocks.push_back(n.id);
        QCOMPARE(blocks.size(), std::size_t(4));
        for (std::size_t i = 1; i < blocks.size(); i += 2)
            d->graph.node(blocks[i])->body = std::make_shared<const graph::Graph>(*d->graph.node(blocks[i])->body);
        QVERIFY(d->graph.node(blocks[0])->body != d->graph.node(blocks[1])->body);
        const json apart = store::graphToJson(d->graph);
        QCOMPARE(apart["bodies"].size(), std::size_t(1));
        QCOMPARE(apart.dump(), g.dump()); // the same text: no diff after an edit and its undo
        auto shared = store::graphFromJson(apart);
        QVERIFY(shared.ok() && *shared == d->graph);
        QVERIFY(shared->node(blocks[0])->body == shared->node(blocks[3])->body);
    }

    // Nested: a file listing an inner body twice and two outer bodies, one over each copy, is
    // written back with one of each, the outer blocks sharing one body again.
    void equalNestedBodiesAreWrittenOnce() {
        const json inner = json::parse(R"({"nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [1, 8]}]},
            {"id": 2, "name": "fc", "kind": "linear", "attrs": {"out_features": 8}}, {"id": 3, "name": "y", "kind": "output"}],
            "edges": [[1, 0, 2, 0], [2, 0, 3, 0]]})");
        const auto outer = [](int body) {
            return json{{"nodes", {{{"id", 1}, {"name", "x"}, {"kind", "input"}, {"outputs", {{{"shape", {1, 8}}}}}},
                                   {{"id", 2}, {"name", "layer"}, {"kind", "block"}, {"body", body}, {"repeat", 2}},
                                   {{"id", 3}, {"name", "y"}, {"kind", "output"}}}},
                        {"edges", {{1, 0, 2, 0}, {2, 0, 3, 0}}}};
        };
        json g = outer(0);
        g["bodies"] = {inner, inner, outer(0), outer(1)};
        g["nodes"][1]["body"] = 2;
        g["nodes"].push_back({{"id", 4}, {"name", "second"}, {"kind", "block"}, {"body", 3}});
        g["edges"] = {{1, 0, 2, 0}, {2, 0, 4, 0}, {4, 0, 3, 0}};
        auto read = store::graphFromJson(g);
        QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
        const Status inferred = graph::inferShapesWithBodies(*read);
        QVERIFY2(inferred.ok(), inferred.message().c_str());
        QVERIFY(read->node(2)->body != read->node(4)->body); // as listed: apart
        const json written = store::graphToJson(*read);
        QCOMPARE(written["bodies"].size(), std::size_t(2));
        auto back = store::graphFromJson(written);
        QVERIFY(back.ok() && *back == *read);
        QVERIFY(back->node(2)->body == back->node(4)->body);
    }

    void errorsNameWhatIsWrong_data() {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("expect");
        QTest::newRow("format") << R"({"format": "other"})" << "format";
        QTest::newRow("version") << R"({"version": 7})" << "newer";
        QTest::newRow("template") << R"({"model": {"template": "gpt-9"}})" << "gpt-9";
        QTest::newRow("catalogue") << R"({"platform": {"devices": [{"id": "x", "catalogue": "warp-drive"}], "links": []}})" << "warp-drive";
        QTest::newRow("device") << R"({"placement": [{"match": "*", "device": "tpu9"}]})" << "tpu9";
        QTest::newRow("rule") << R"({"placement": [{"node": "conv9", "device": "gpu"}]})" << "conv9";
        QTest::newRow("type") << R"({"name": 5})" << "malformed";
        QTest::newRow("link") << R"({"platform": {"devices": [{"id": "a", "catalogue": "nvidia-l4"}], "links": [{"id": "l", "a": "a", "b": "zz", "catalogue": "eth-1g"}]}})" << "zz";
        QTest::newRow("bandwidth") << R"({"platform": {"devices": [{"id": "a", "spec": {"id": "s", "kind": "gpu", "source": "x", "peak_ops": {"fp32": 1}, "mem_capacity": 1, "mem_bandwidth": -4, "idle_power": 1, "max_power": 2}}], "links": []}})" << "mem_bandwidth";
    }

    void errorsNameWhatIsWrong() {
        QFETCH(QString, patch);
        QFETCH(QString, expect);
        json j = sample();
        j.merge_patch(json::parse(patch.toStdString()));
        auto d = store::designFromJson(j);
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.find(expect.toStdString()) != std::string::npos, d.error().message.c_str());
    }

    // Numbers a file cannot mean: past the integer type a field is read into, or shapes whose
    // arithmetic overflows. Each is an error naming the field or node (before, nlohmann's cast of
    // such a number was undefined behaviour, and the shapes wrapped around).
    void numbersThatDoNotFitAreErrors_data() {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("expect");
        const auto graph = [](const char *g) {
            return QString(R"({"model": null, "placement": [], "layout": {}, "graph": %1})").arg(g);
        };
        QTest::newRow("batch") << R"({"model": {"template": "vgg16", "batch": 1e30}})" << "'batch'";
        QTest::newRow("version") << R"({"version": 1e99})" << "'version'";
        QTest::newRow("split") << R"({"model": {"template": "vgg16", "split_blocks": {"x": 1e12}}})" << "split_blocks";
        QTest::newRow("option") << R"({"placement": [{"match": "*", "device": "gpu", "options": {"tiles": [7.7e19]}}]})" << "tiles";
        QTest::newRow("id") << graph(R"({"nodes": [{"id": 1e30, "name": "a", "kind": "activation"}]})") << "'id'";
        // fits 32 bits, but the evaluator once sized a table by the largest id: 16 GB, a hang
        QTest::newRow("large id") << graph(R"({"nodes": [{"id": 4294967290, "name": "a", "kind": "activation"}]})")
                                  << "node 'a' has id 4294967290; node ids run from 1 to 2147483647";
        QTest::newRow("port") << graph(R"({"nodes": [{"id": 1, "name": "a", "kind": "input", "outputs": [{"shape": [1, 4]}]},
                                                     {"id": 2, "name": "b", "kind": "activation"}], "edges": [[1, 1e12, 2, 0]]})")
                              << "source port";
        QTest::newRow("shape") << graph(R"({"nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [1e30]}]}]})")
                               << "shape holds";
        QTest::newRow("dilation") << graph(R"({"nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [1, 1, 8]}]},
            {"id": 2, "name": "c", "kind": "conv", "attrs": {"out_channels": 1, "kernel": [3], "dilation": [4611686018427387904]}}],
            "edges": [[1, 0, 2, 0]]})") << "'c' (conv): its shape arithmetic overflows";
        QTest::newRow("concat") << graph(R"({"nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [9000000000000000000]}]},
            {"id": 2, "name": "c", "kind": "concat", "attrs": {"axis": 0}}], "edges": [[1, 0, 2, 0], [1, 0, 2, 1]]})")
                                << "'c' (concat): its shape arithmetic overflows";
        QTest::newRow("elements") << graph(R"({"nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [4294967296, 4294967296, 2]}]},
            {"id": 2, "name": "r", "kind": "reshape", "attrs": {"shape": [-1]}}], "edges": [[1, 0, 2, 0]]})")
                                  << "more elements than fit";
        QTest::newRow("lut") << R"({"platform": {"devices": [{"id": "f", "spec": {"id": "s", "kind": "fpga", "source": "x",
            "peak_ops": {"fp32": 1}, "mem_capacity": 1, "mem_bandwidth": 1, "idle_power": 1, "max_power": 2,
            "fpga": {"lut": 1e30, "ff": 1, "dsp": 1, "bram": 1}}}], "links": []}, "placement": []})"
                             << "'lut'";
    }

    void numbersThatDoNotFitAreErrors() { errorsNameWhatIsWrong(); }

    void cyclicGraphIsRefused() {
        json j = sample();
        j.erase("model");
        j["placement"] = json::array();
        j["layout"] = json::object();
        j["graph"] = json::parse(R"({"nodes": [{"id": 1, "name": "a", "kind": "activation"}, {"id": 2, "name": "b", "kind": "activation"}],
                                     "edges": [[1, 0, 2, 0], [2, 0, 1, 0]]})");
        auto d = store::designFromJson(j);
        QVERIFY(!d.ok());
        const std::string &why = d.error().message;
        QVERIFY2(why.find("cycle through node 'a'") != std::string::npos || why.find("cycle through node 'b'") != std::string::npos,
                 why.c_str());
    }

    // Inside a block's body too, named by the block, and refused outright: a studio open (with a
    // warnings list) does not take it as a shape warning.
    void cycleInsideABodyIsRefused() {
        json j = sample();
        j.erase("model");
        j["placement"] = json::array();
        j["layout"] = json::object();
        j["graph"] = json::parse(R"({"bodies": [{"nodes": [{"id": 1, "name": "in", "kind": "input", "outputs": [{"shape": [1, 8]}]},
                                        {"id": 2, "name": "a", "kind": "activation"}, {"id": 3, "name": "b", "kind": "activation"}],
                                      "edges": [[1, 0, 2, 0], [2, 0, 3, 0], [3, 0, 2, 1]]}],
                                     "nodes": [{"id": 1, "name": "x", "kind": "input", "outputs": [{"shape": [1, 8]}]},
                                               {"id": 2, "name": "loop", "kind": "block", "body": 0}],
                                     "edges": [[1, 0, 2, 0]]})");
        for (const bool studio : {false, true}) {
            std::vector<std::string> warnings;
            auto d = store::designFromJson(j, studio ? &warnings : nullptr);
            QVERIFY(!d.ok());
            const std::string &why = d.error().message;
            QVERIFY2(why.find("in block 'loop': the graph has a cycle through node") != std::string::npos, why.c_str());
            QVERIFY(warnings.empty());
        }
    }
};

QTEST_APPLESS_MAIN(TestDesignJson)
#include "tst_design_json.moc"
