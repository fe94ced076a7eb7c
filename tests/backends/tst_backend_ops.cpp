// Every kernel on every available device (CPU always; Vulkan on lavapipe in CI; CUDA where a GPU
// is) against the CPU reference, with a normalised mean squared error bound per kernel, as
// ggml's test-backend-ops does. Odd shapes included; bad input must fail cleanly.
#include "backends/backend.h"
#include "kernels/csr.h"
#include "kernels/reference.h"

#include <QtTest>
#include "../common/random_data.h"

using namespace seaside;
using namespace seaside::backends;

using seaside::testing::randomVector;

namespace {

template <typename T> std::unique_ptr<Buffer> upload(Device *dev, const std::vector<T> &v) {
    auto b = dev->allocate(std::max<std::size_t>(4, v.size() * sizeof(T)));
    if (!b.ok())
        qFatal("allocate failed: %s", b.error().message.c_str());
    if (!v.empty())
        (*b)->upload(v.data(), v.size() * sizeof(T));
    return std::move(*b);
}

std::vector<float> download(const Buffer &b, std::size_t n) {
    std::vector<float> v(n);
    if (n)
        b.download(v.data(), n * sizeof(float));
    return v;
}

// fp16 tensor-core paths round their inputs: a looser bound there, exact-ish fp32 elsewhere.
double bound(const Device *d, Op op) { return d->props().backend == "cuda" && op == Op::Ssmm24 ? 1e-5 : 1e-9; }
} // namespace

class TestBackendOps : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        for (Device *d : availableDevices())
            qInfo("device: %s (%s)", d->props().name.c_str(), d->props().backend.c_str());
        QVERIFY(!availableDevices().empty());
        QCOMPARE(availableDevices().front()->props().backend, std::string("cpu"));
        bool cuda = false;
        for (Device *d : availableDevices())
            cuda = cuda || d->props().backend == "cuda";
        if (!cuda)
            qInfo("no CUDA device: the CUDA kernels are not exercised on this machine (they run where a GPU is)");
    }

    void gemm_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::newRow("1x1x1") << 1 << 1 << 1;
        QTest::newRow("odd") << 7 << 17 << 13;
        QTest::newRow("k-not-tile") << 65 << 130 << 259;
    }
    void gemm() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        const auto x = randomVector(std::size_t(m * k), 1), w = randomVector(std::size_t(n * k), 2);
        std::vector<float> want(std::size_t(m * n));
        kernels::ref::gemm(x.data(), w.data(), want.data(), m, n, k);
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bw = upload(d, w), by = upload(d, std::vector<float>(want.size()));
            std::vector<double> t;
            Status s = d->run({{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, by.get(), m, n, k, 0, "gemm"}}, &t);
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            QCOMPARE(t.size(), std::size_t(1));
            QVERIFY(t[0] >= 0);
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Gemm), d->props().name.c_str());
        }
    }

    void ssmm24_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("gather");
        QTest::newRow("1x3x4") << 1 << 3 << 4 << false;
        QTest::newRow("odd") << 7 << 17 << 12 << false;
        QTest::newRow("k-not-tile") << 65 << 130 << 260 << false;
        QTest::newRow("gathered") << 33 << 64 << 256 << true;
    }
    void ssmm24() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(bool, gather);
        const int xRows = m + 3;
        const auto x = randomVector(std::size_t(xRows * k), 3), wd = randomVector(std::size_t(n * k), 4);
        const auto w = *kernels::prune24(wd.data(), n, k);
        std::vector<std::uint32_t> rows;
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 5 + 1) % xRows));
        std::vector<float> want(std::size_t(m * n));
        kernels::ref::ssmm24(x.data(), w, gather ? rows.data() : nullptr, want.data(), m);
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bv = upload(d, w.values), bm = upload(d, w.meta), br = upload(d, rows);
            auto by = upload(d, std::vector<float>(want.size()));
            KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), gather ? br.get() : nullptr, by.get(), m, n, k, 0, "ssmm"};
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Ssmm24), d->props().name.c_str());
        }
    }

    void csrSpmm() {
        // an isolated node (3) and an empty last row
        auto a = *kernels::csrFromEdges(6, {{0, 1}, {1, 0}, {2, 0}, {4, 2}, {1, 4}, {0, 4}});
        const int f = 37;
        const auto x = randomVector(std::size_t(6 * f), 5);
        std::vector<float> want(std::size_t(6 * f));
        kernels::ref::csrSpmm(a.rowPtr.data(), a.colIdx.data(), a.values.data(), x.data(), want.data(), 6, f);
        for (Device *d : availableDevices()) {
            auto bp = upload(d, a.rowPtr), bc = upload(d, a.colIdx), bv = upload(d, a.values), bx = upload(d, x);
            auto by = upload(d, std::vector<float>(want.size(), -1.0f));
            KernelCall c{Op::CsrSpmm, bp.get(), bc.get(), bv.get(), bx.get(), by.get(), 6, f, 6, a.nnz(), "csr"};
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::CsrSpmm), d->props().name.c_str());
        }
    }

    void badInputFailsCleanly() {
        for (Device *d : availableDevices()) {
            auto small = upload(d, std::vector<float>(8)), big = upload(d, std::vector<float>(64));
            // mismatched shapes: X holds 8 floats, the call wants 4 x 4
            std::string why;
            KernelCall g{Op::Gemm, small.get(), big.get(), nullptr, nullptr, big.get(), 4, 4, 4, 0, "bad"};
            QVERIFY(!d->supports(g, &why));
            QVERIFY(why.find("X") != std::string::npos);
            QVERIFY(!d->run({g}).ok());
            // k not a multiple of 4 for 2:4
            KernelCall s{Op::Ssmm24, big.get(), big.get(), big.get(), nullptr, big.get(), 2, 2, 6, 0, "bad"};
            QVERIFY(!d->supports(s, &why));
            // metadata buffer too small for the format
            auto meta = upload(d, std::vector<std::uint32_t>(0));
            KernelCall sm{Op::Ssmm24, big.get(), big.get(), meta.get(), nullptr, big.get(), 2, 40, 8, 0, "bad"};
            QVERIFY(!d->supports(sm, &why));
            // over-long upload
            QVERIFY(!small->upload(std::vector<float>(9).data(), 9 * sizeof(float)).ok());
        }
        // out-of-range ids and broken metadata on the CPU device, which checks contents
        Device *cpu = availableDevices().front();
        auto rp = upload(cpu, std::vector<std::int32_t>{0, 1, 2}), ci = upload(cpu, std::vector<std::int32_t>{0, 9});
        auto vals = upload(cpu, std::vector<float>{1, 1}), x = upload(cpu, std::vector<float>(8)), y = upload(cpu, std::vector<float>(8));
        Status s = cpu->run({{Op::CsrSpmm, rp.get(), ci.get(), vals.get(), x.get(), y.get(), 2, 4, 2, 2, "graph"}});
        QVERIFY(!s.ok());
        QVERIFY2(s.message().find("column 9") != std::string::npos, s.message().c_str());
        auto xs = upload(cpu, randomVector(16, 1)), wv = upload(cpu, randomVector(8, 2));
        auto wm = upload(cpu, std::vector<std::uint32_t>{0x0u, 0x0u}); // positions 0,0: invalid
        auto ys = upload(cpu, std::vector<float>(8));
        Status bad = cpu->run({{Op::Ssmm24, xs.get(), wv.get(), wm.get(), nullptr, ys.get(), 2, 2, 8, 0, "meta"}});
        QVERIFY(!bad.ok());
        QVERIFY(bad.message().find("metadata") != std::string::npos);
        auto ids = upload(cpu, std::vector<std::uint32_t>{0, 77});
        auto okMeta = upload(cpu, std::vector<std::uint32_t>{0x44u, 0x44u}); // positions 0,1 in both groups
        Status badRow = cpu->run({{Op::Ssmm24, xs.get(), wv.get(), okMeta.get(), ids.get(), ys.get(), 2, 2, 8, 0, "rows"}});
        QVERIFY(!badRow.ok());
        QVERIFY(badRow.message().find("77") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestBackendOps)
#include "tst_backend_ops.moc"
