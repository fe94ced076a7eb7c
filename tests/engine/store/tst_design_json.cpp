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

    void cyclicGraphIsRefused() {
        json j = sample();
        j.erase("model");
        j["placement"] = json::array();
        j["layout"] = json::object();
        j["graph"] = json::parse(R"({"nodes": [{"id": 1, "name": "a", "kind": "activation"}, {"id": 2, "name": "b", "kind": "activation"}],
                                     "edges": [[1, 0, 2, 0], [2, 0, 1, 0]]})");
        auto d = store::designFromJson(j);
        QVERIFY(!d.ok());
        QVERIFY(d.error().message.find("cycle") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestDesignJson)
#include "tst_design_json.moc"
