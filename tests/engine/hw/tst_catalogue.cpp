#include "hw/catalogue.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace seaside::hw;
using nlohmann::json;

namespace {
json validDevice() {
    return json::parse(R"({"id":"test-gpu","name":"Test GPU","kind":"gpu","source":"Test datasheet",
        "peak_ops":{"fp32":1e13},"mem_capacity":1e9,"mem_bandwidth":1e11,"idle_power":10,"max_power":100})");
}
} // namespace

class TestCatalogue : public QObject {
    Q_OBJECT
private slots:
    void shippedCatalogueIsCompleteAndSourced() {
        auto cat = loadCatalogue();
        QVERIFY2(cat.ok(), cat.ok() ? "" : cat.error().message.c_str());
        QVERIFY(cat->devices.size() >= 20);
        QVERIFY(cat->links.size() >= 8);
        for (const char *id : {"nvidia-h100-sxm", "nvidia-a100-sxm4-80gb", "nvidia-v100-sxm2-32gb", "nvidia-l4",
                               "nvidia-rtx-4090", "nvidia-rtx-4070-super", "nvidia-jetson-agx-orin-64gb",
                               "nvidia-jetson-orin-nano-8gb", "nvidia-jetson-nano-4gb", "raspberry-pi-4b-4gb",
                               "raspberry-pi-5-8gb", "google-coral-usb", "intel-xeon-platinum-8480plus",
                               "amd-alveo-u250", "amd-alveo-u280", "amd-alveo-u55c", "amd-versal-vck190",
                               "amd-zcu102", "alphadata-adm-pcie-8v3"})
            QVERIFY2(cat->device(id), id);
        for (const char *id : {"pcie4-x16", "pcie5-x16", "nvlink4-h100", "eth-100g", "eth-10g", "eth-1g", "wifi6",
                               "5g-sub6", "usb3-gen1"})
            QVERIFY2(cat->link(id), id);
        for (const auto &d : cat->devices) {
            QVERIFY2(!d.source.empty(), d.id.c_str());
            QVERIFY2(d.maxPower >= d.idlePower && d.idlePower > 0, d.id.c_str());
            QVERIFY2(d.kind != DeviceKind::Fpga || d.fpga.has_value(), d.id.c_str());
        }
        // H100 SXM: 3.35 TB/s HBM3, 80 GB, 2:4 sparsity doubles fp16 tensor throughput
        const DeviceSpec *h100 = cat->device("nvidia-h100-sxm");
        QCOMPARE(h100->memBandwidth, 3.35e12);
        QVERIFY(h100->peakOpsSparse.at(seaside::graph::DType::F16) > h100->peakOps.at(seaside::graph::DType::F16));
        // the Coral Edge TPU runs int8 only
        const DeviceSpec *coral = cat->device("google-coral-usb");
        QVERIFY(coral->supports(seaside::graph::DType::I8));
        QVERIFY(!coral->supports(seaside::graph::DType::F32));
    }

    void impossibleValuesNameDeviceAndField() {
        json d = validDevice();
        QVERIFY(deviceFromJson(d).ok());
        d["mem_bandwidth"] = -5;
        auto r = deviceFromJson(d);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("test-gpu") != std::string::npos);
        QVERIFY(r.error().message.find("mem_bandwidth") != std::string::npos);

        json z = validDevice();
        z["idle_power"] = 0;
        auto rz = deviceFromJson(z);
        QVERIFY(!rz.ok());
        QVERIFY(rz.error().message.find("idle_power") != std::string::npos);

        json f = validDevice();
        f["kind"] = "fpga";
        QVERIFY(!deviceFromJson(f).ok()); // an FPGA needs its resources

        json s = validDevice();
        s.erase("source");
        QVERIFY(!deviceFromJson(s).ok());

        json l = json::parse(R"({"id":"bad-link","source":"x","bandwidth":-1,"latency":1e-6,"energy_per_byte":1e-12})");
        auto rl = linkFromJson(l);
        QVERIFY(!rl.ok());
        QVERIFY(rl.error().message.find("bad-link") != std::string::npos);
        QVERIFY(rl.error().message.find("bandwidth") != std::string::npos);
    }

    void jsonRoundTrip() {
        auto cat = loadCatalogue();
        QVERIFY(cat.ok());
        for (const auto &d : cat->devices) {
            auto back = deviceFromJson(deviceToJson(d));
            QVERIFY(back.ok());
            QVERIFY2(*back == d, d.id.c_str());
        }
        for (const auto &l : cat->links) {
            auto back = linkFromJson(linkToJson(l));
            QVERIFY(back.ok());
            QVERIFY2(*back == l, l.id.c_str());
        }
    }

    void badCatalogueFileIsAnErrorNamingIt() {
        QTemporaryDir dir;
        std::ofstream(dir.filePath("broken.json").toStdString()) << R"({"devices":[{"id":"x","kind":"gpu","source":"s",
            "peak_ops":{"fp32":1},"mem_capacity":1,"mem_bandwidth":-1,"idle_power":1,"max_power":2}]})";
        auto cat = loadCatalogue(dir.path().toStdString());
        QVERIFY(!cat.ok());
        QVERIFY(cat.error().message.find("broken.json") != std::string::npos);
        QVERIFY(cat.error().message.find("mem_bandwidth") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestCatalogue)
#include "tst_catalogue.moc"
