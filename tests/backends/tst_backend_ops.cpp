// Every kernel on every available device (CPU always; Vulkan on lavapipe in CI; CUDA where a GPU
// is) against the CPU reference, with a normalised mean squared error bound per kernel, as
// ggml's test-backend-ops does. Odd shapes included; bad input must fail cleanly.
#include "backends/backend.h"
#include "backends/cpu/prepared_weights.h"
#include "backends/layers.h"
#include "kernels/cpu_ssmm24.h"
#include "kernels/csr.h"
#include "kernels/gnn.h"
#include "kernels/half.h"
#include "kernels/moe.h"
#include "kernels/reference.h"
#include "kernels/router.h"
#include "kernels/samoyeds.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#ifdef SEASIDE_HAVE_VULKAN
#include "backends/vulkan/buffer.h"
#include "backends/vulkan/context.h"
#include "backends/vulkan/ops/ops.h"
#include "backends/vulkan/vulkan_backend.h"
#endif

#include <QtTest>
#include "../common/bad_contents.h"
#include "../common/random_data.h"
#include "../common/router_logits.h"
#include "../common/top_k_by_hand.h"

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

template <typename T = float> std::vector<T> download(const Buffer &b, std::size_t n, std::size_t offset = 0) {
    std::vector<T> v(n);
    if (n)
        b.download(v.data(), n * sizeof(T), offset);
    return v;
}

// fp16 tensor-core paths round their inputs: a looser bound there, exact-ish fp32 elsewhere.
double bound(const Device *d, Op op) {
    return (d->props().backend == "cuda" && op == Op::Ssmm24) || op == Op::GemmF16 ? 1e-5 : 1e-9;
}

kernels::MoeDenseWeights randomMoe(const kernels::MoeShape &s, unsigned seed) {
    kernels::MoeDenseWeights w;
    w.router = randomVector(std::size_t(s.experts * s.hidden), seed);
    for (std::int64_t e = 0; e < s.experts; ++e) {
        w.w1.push_back(randomVector(std::size_t(s.intermediate * s.hidden), seed + 10 + unsigned(e), 0.05f));
        w.w3.push_back(randomVector(std::size_t(s.intermediate * s.hidden), seed + 100 + unsigned(e), 0.05f));
        w.w2.push_back(randomVector(std::size_t(s.hidden * s.intermediate), seed + 1000 + unsigned(e), 0.05f));
    }
    return w;
}

// What Y holds after an Ssmm24 call with epilogue `ep` on Y = y0, given the products acc [m, n]
// (backend.h): y0 + acc, silu(other) * acc, or y0 with gates[i] * acc added to row scatter[i].
std::vector<float> afterEpilogue(Epilogue ep, const std::vector<float> &acc, std::vector<float> y,
                                 const std::vector<float> &other, const std::vector<float> &gates,
                                 const std::vector<std::uint32_t> &scatter, int m, int n) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            const float a = acc[std::size_t(i * n + j)], g = other[std::size_t(i * n + j)];
            if (ep == Epilogue::Store)
                y[std::size_t(i * n + j)] += a;
            else if (ep == Epilogue::SiluMul)
                y[std::size_t(i * n + j)] = g / (1.0f + std::exp(-g)) * a;
            else
                y[std::size_t(scatter[std::size_t(i)] * n + j)] += gates[std::size_t(i)] * a;
        }
    return y;
}

// a small graph with an isolated node (3), a self loop (5) and an empty last row (6)
kernels::Csr smallGraph() {
    auto a = *kernels::csrFromEdges(7, {{0, 1}, {1, 0}, {2, 0}, {4, 2}, {1, 4}, {0, 4}, {5, 5}, {2, 5}, {4, 1}});
    for (std::size_t i = 0; i < a.values.size(); ++i)
        a.values[i] = 0.5f + 0.25f * float(i % 5) - (i % 3 == 0 ? 1.5f : 0.0f); // some negative products for max
    return a;
}

// The Vulkan router's two shaders (ops/topk_gates.cpp): each device's own choice, then each
// forced by SEASIDE_VK_TOPK, so that lavapipe in CI checks the workgroup-per-row shader GPUs run
// as well as its own. Other devices ignore the variable (their rows just run again).
void routerShaders() {
    QTest::addColumn<QByteArray>("shader");
    QTest::newRow("device's choice") << QByteArray();
    QTest::newRow("invocation per row") << QByteArray("invocation");
    QTest::newRow("workgroup per row") << QByteArray("workgroup");
}

// Sets SEASIDE_VK_TOPK for one test (unset for the device's choice) and unsets it after.
class ForcedRouterShader {
public:
    explicit ForcedRouterShader(const QByteArray &shader) {
        if (shader.isEmpty())
            qunsetenv("SEASIDE_VK_TOPK");
        else
            qputenv("SEASIDE_VK_TOPK", shader);
    }
    ~ForcedRouterShader() { qunsetenv("SEASIDE_VK_TOPK"); }
    ForcedRouterShader(const ForcedRouterShader &) = delete;
    ForcedRouterShader &operator=(const ForcedRouterShader &) = delete;
};
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
#ifdef SEASIDE_HAVE_VULKAN
        // Which memory the Vulkan buffers live in; SEASIDE_VK_STAGING=1 (a second ctest run) must
        // put them in device-local memory behind staging copies, as on a discrete GPU.
        const char *staging = std::getenv("SEASIDE_VK_STAGING");
        // Without a Vulkan device every test below would pass on the CPU alone: ctest requires one
        // (the README's test command installs Mesa's lavapipe), a run by hand only warns.
        const bool required = std::getenv("SEASIDE_REQUIRE_VULKAN") && std::string(std::getenv("SEASIDE_REQUIRE_VULKAN")) == "1";
        int vulkanDevices = 0;
        for (Device *d : availableDevices())
            vulkanDevices += d->props().backend == "vulkan";
        if (vulkanDevices == 0 && required)
            QFAIL("no Vulkan device found, and SEASIDE_REQUIRE_VULKAN=1 (set by ctest) requires one: is Mesa's lavapipe "
                  "(mesa-vulkan-drivers) installed, does `vulkaninfo --summary` list a device, does SEASIDE_VK_VISIBLE_DEVICES hide it?");
        if (vulkanDevices == 0)
            qWarning("no Vulkan device found: the Vulkan kernels are not exercised in this run");
        for (Device *d : availableDevices())
            if (d->props().backend == "vulkan") {
                auto b = d->allocate(64);
                QVERIFY(b.ok());
                const auto *vb = dynamic_cast<const vk::Buffer *>(b->get());
                QVERIFY(vb);
                qInfo("%s: buffers %s", d->props().name.c_str(), vb->mapped() ? "mapped (host-visible)" : "device-local, staged");
                if (staging && std::string(staging) == "1")
                    QVERIFY(!vb->mapped());
            }
#endif
    }

    // One GPU reached through two drivers (here: the lavapipe driver listed twice) is one device.
    void vulkanListsEachGpuOnce() {
#ifndef SEASIDE_HAVE_VULKAN
        QSKIP("Vulkan backend not built (no Vulkan headers or glslc at configure time): runs in builds with Vulkan, as in CI on lavapipe");
#else
        const QString manifest = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";
        if (!QFile::exists(manifest))
            QSKIP("no lavapipe ICD manifest (/usr/share/vulkan/icd.d/lvp_icd.x86_64.json) to list twice: runs where mesa-vulkan-drivers is installed, as in CI");
        QTemporaryDir dir;
        const QString copy = dir.filePath("lvp_again.json");
        QVERIFY(QFile::copy(manifest, copy));
        // both variables restored after: the listing twice, and no filter that would leave one device anyway
        const QByteArray icds = qgetenv("VK_ICD_FILENAMES"), visible = qgetenv("SEASIDE_VK_VISIBLE_DEVICES");
        const bool hadIcds = qEnvironmentVariableIsSet("VK_ICD_FILENAMES"),
                   hadVisible = qEnvironmentVariableIsSet("SEASIDE_VK_VISIBLE_DEVICES");
        qputenv("VK_ICD_FILENAMES", (manifest + ":" + copy).toUtf8());
        qunsetenv("SEASIDE_VK_VISIBLE_DEVICES");
        auto instance = vk::Instance::create();
        std::uint32_t listed = 0;
        if (instance.ok())
            vkEnumeratePhysicalDevices((*instance)->handle(), &listed, nullptr);
        const std::size_t devices = instance.ok() ? (*instance)->computeDevices().size() : 0;
        hadIcds ? qputenv("VK_ICD_FILENAMES", icds) : qunsetenv("VK_ICD_FILENAMES");
        if (hadVisible)
            qputenv("SEASIDE_VK_VISIBLE_DEVICES", visible);
        QVERIFY2(instance.ok(), instance.ok() ? "" : instance.error().message.c_str());
        if (listed < 2)
            QSKIP("this Vulkan loader itself lists a driver named twice once, so there is nothing to deduplicate: runs with loaders that list it twice, as Debian 12's");
        QCOMPARE(devices, std::size_t(1));
#endif
    }

    // The CUDA rows of every test below run only where a GPU is; this says so in the test log.
    void cudaDevice() {
        Device *cuda = nullptr;
        for (Device *d : availableDevices())
            if (d->props().backend == "cuda" && !cuda)
                cuda = d;
#ifndef SEASIDE_HAVE_CUDA
        QSKIP("CUDA backend not built (no nvcc at configure time): CUDA kernels not tested (a build with nvcc runs them on a CUDA device, as tests/bench/gpu_check.sh does)");
#endif
        if (!cuda)
            QSKIP("no CUDA device on this machine: CUDA kernels not tested (tests/bench/gpu_check.sh runs them on a GPU)");
        QVERIFY(!cuda->props().name.empty());
        QVERIFY(cuda->props().memoryBytes > 0);
        QVERIFY(cuda->props().computeUnits > 0);
        // A failed allocation is reported by allocate() alone: the next run does not inherit its error.
        auto tooBig = cuda->allocate(std::size_t(cuda->props().memoryBytes) * 4);
        QVERIFY(!tooBig.ok());
        QVERIFY2(tooBig.error().message.find("allocating") != std::string::npos, tooBig.error().message.c_str());
        const auto x = randomVector(6, 1), w = randomVector(6, 2);
        auto bx = upload(cuda, x), bw = upload(cuda, w), by = upload(cuda, std::vector<float>(4));
        const Status s = cuda->run({{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, by.get(), 2, 2, 3, 0, "after a failed allocation"}});
        QVERIFY2(s.ok(), s.message().c_str());
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

    // More row tiles than a grid axis holds (65535 workgroups, Vulkan's minimum limit): the GPU
    // kernels loop over the rest instead of refusing. Narrow n and k keep the buffers small.
    void rowsPastOneGridAxis_data() {
        QTest::addColumn<int>("opIndex");
        QTest::newRow("gemm") << int(Op::Gemm);
        QTest::newRow("gemm_f16") << int(Op::GemmF16);
        QTest::newRow("ssmm24") << int(Op::Ssmm24);
    }
    void rowsPastOneGridAxis() {
        QFETCH(int, opIndex);
        // ~20 s an op on lavapipe, for a grid that does not depend on where buffers live
        if (qEnvironmentVariable("SEASIDE_VK_STAGING") == "1")
            QSKIP("dispatch grids do not depend on buffer memory: runs in the unstaged ctest run (tst_backend_ops)");
        const Op op = Op(opIndex);
        // one row tile past 65535 (64 rows a tile for GEMM, 32 for SSMM), and a ragged last one
        const std::int64_t m = op == Op::Ssmm24 ? 65535 * 32 + 37 : 65535 * 64 + 67, n = 3, k = 4;
        const auto x = randomVector(std::size_t(m * k), 21), wd = randomVector(std::size_t(n * k), 22);
        const auto w = *kernels::prune24(wd.data(), n, k);
        std::vector<float> want(std::size_t(m * n));
        if (op == Op::Ssmm24) {
            kernels::ref::ssmm24(x.data(), w, nullptr, want.data(), m);
        } else {
            std::vector<float> xr = x, wr = wd; // what the fp16 kernel sees: both rounded to half
            if (op == Op::GemmF16)
                for (auto *v : {&xr, &wr})
                    for (float &f : *v)
                        f = kernels::halfToFloat(kernels::floatToHalf(f));
            kernels::ref::gemm(xr.data(), wr.data(), want.data(), m, n, k);
        }
        for (Device *d : availableDevices()) {
            auto by = upload(d, std::vector<float>(want.size()));
            std::unique_ptr<Buffer> bx, bw, bm;
            if (op == Op::GemmF16) {
                std::vector<std::uint16_t> xh(x.size()), wh(wd.size());
                std::transform(x.begin(), x.end(), xh.begin(), kernels::floatToHalf);
                std::transform(wd.begin(), wd.end(), wh.begin(), kernels::floatToHalf);
                bx = upload(d, xh);
                bw = upload(d, wh);
            } else {
                bx = upload(d, x);
                bw = upload(d, op == Op::Ssmm24 ? w.values : wd);
                bm = upload(d, w.meta);
            }
            KernelCall c{op, bx.get(), bw.get(), op == Op::Ssmm24 ? bm.get() : nullptr, nullptr, by.get(), m, n, k, 0, "tall"};
            std::string why;
            if (op == Op::GemmF16 && !d->supports(c, &why)) {
                qInfo("%s: no fp16 GEMM (%s)", d->props().name.c_str(), why.c_str());
                continue;
            }
            const Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, op),
                     (d->props().name + " " + c.label).c_str());
            // the last rows lie past the grid: a kernel that did not loop leaves them zero
            QVERIFY2(std::abs(got.back() - want.back()) <= 1e-4f * (1.0f + std::abs(want.back())), d->props().name.c_str());
        }
    }

    // Every device may keep what it derives from weights (the CPU prepares 2:4 weights once); new
    // contents in the same buffers must be seen, never the old ones.
    void ssmm24SeesNewWeightsInTheSameBuffers() {
        const int m = 70, n = 40, k = 64;
        const auto x = randomVector(std::size_t(m * k), 81);
        const auto first = *kernels::prune24(randomVector(std::size_t(n * k), 82).data(), n, k);
        const auto second = *kernels::prune24(randomVector(std::size_t(n * k), 83).data(), n, k);
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bv = upload(d, first.values), bm = upload(d, first.meta);
            auto by = upload(d, std::vector<float>(std::size_t(m * n)));
            const KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), nullptr, by.get(), m, n, k, 0, "w"};
            for (const auto *w : {&first, &first, &second}) {
                if (w == &second) {
                    QVERIFY(bv->upload(second.values.data(), second.values.size() * 4).ok());
                    QVERIFY(bm->upload(second.meta.data(), second.meta.size() * 4).ok());
                }
                std::vector<float> want(std::size_t(m * n));
                kernels::ref::ssmm24(x.data(), *w, nullptr, want.data(), m);
                QVERIFY(d->run({c}).ok());
                const auto got = download(*by, want.size());
                QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Ssmm24), d->props().name.c_str());
            }
        }
    }

    // The CPU device keeps 2:4 weights prepared for its kernel within a byte budget. Past it, new
    // weights are read in place rather than evicting prepared ones (a model cycling through more
    // weights than the budget would otherwise prepare all of them on every call); a buffer's
    // entries go with the buffer; the metadata is checked once per content either way.
    void cpuPreparedWeightsBudget() {
        const std::int64_t n = 64, k = 128;
        const auto a = *kernels::prune24(randomVector(std::size_t(n * k), 31).data(), n, k);
        const auto b = *kernels::prune24(randomVector(std::size_t(n * k), 32).data(), n, k);
        const std::size_t one = kernels::cpu::preparedBytes(a); // values, metadata and live-row lists
        QVERIFY(one > (a.values.size() + a.meta.size()) * 4);
        PreparedWeightsCache cache(one + one / 2); // room for one matrix
        using Key = PreparedWeightsCache::Key;
        const Key keyA{1, 0, 2, 0, n, k}, keyB{3, 0, 4, 0, n, k};
        const auto pa = cache.get(keyA, a);
        QVERIFY(pa.ok() && *pa);
        const auto pb = cache.get(keyB, b);
        QVERIFY(pb.ok());
        QVERIFY(!*pb); // no room: b is read in place, a stays prepared
        QCOMPARE(cache.get(keyA, a)->get(), pa->get());
        QCOMPARE(cache.bytes(), one);
        cache.forget(1); // a's values buffer goes
        QCOMPARE(cache.bytes(), std::size_t(0));
        const auto again = cache.get(keyB, b); // now there is room for b
        QVERIFY(again.ok() && *again);
        QCOMPARE(cache.entries(), std::size_t(1));
        const Key newerB{3, 1, 4, 0, n, k}; // b's values rewritten: the old entry is replaced
        QVERIFY(cache.get(newerB, b).ok());
        QCOMPARE(cache.entries(), std::size_t(1));
        auto bad = b;
        bad.meta[0] = 0xFu; // group 0 keeps position 3 twice
        const auto refused = cache.get({5, 0, 6, 0, n, k}, bad);
        QVERIFY(!refused.ok());
        QCOMPARE(cache.entries(), std::size_t(1));
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

    void gemmAccumulate() {
        const int m = 9, n = 21, k = 33;
        const auto x = randomVector(std::size_t(m * k), 11), w = randomVector(std::size_t(n * k), 12);
        const auto y0 = randomVector(std::size_t(m * n), 13);
        std::vector<float> want(y0.size());
        kernels::ref::gemm(x.data(), w.data(), want.data(), m, n, k);
        for (std::size_t i = 0; i < want.size(); ++i)
            want[i] += y0[i];
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bw = upload(d, w), by = upload(d, y0);
            KernelCall c{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, by.get(), m, n, k, 0, "gemm+="};
            c.accumulate = true;
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Gemm), d->props().name.c_str());
        }
    }

    // The three fusions of the MoE block, each against the product computed plainly.
    // Small calls (one tile, one block of weight rows) and calls of several tiles and row blocks,
    // whose parts the CPU device finishes in separate tasks; "in place" is the MoE layer's w3,
    // whose SiLU gate is read from Y itself.
    void ssmm24Epilogues_data() {
        QTest::addColumn<int>("epilogue");
        QTest::addColumn<bool>("gather");
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("store+=") << int(Epilogue::Store) << false << 37 << 70 << false;
        QTest::newRow("silu-mul") << int(Epilogue::SiluMul) << false << 37 << 70 << false;
        QTest::newRow("silu-mul gathered") << int(Epilogue::SiluMul) << true << 37 << 70 << false;
        QTest::newRow("gate-scatter-add") << int(Epilogue::GateScatterAdd) << false << 37 << 70 << false;
        QTest::newRow("gate-scatter-add gathered") << int(Epilogue::GateScatterAdd) << true << 37 << 70 << false;
        QTest::newRow("store+= 300x300") << int(Epilogue::Store) << true << 300 << 300 << false;
        QTest::newRow("silu-mul 300x300 in place") << int(Epilogue::SiluMul) << true << 300 << 300 << true;
        QTest::newRow("gate-scatter-add 300x300") << int(Epilogue::GateScatterAdd) << true << 300 << 300 << false;
    }
    void ssmm24Epilogues() {
        QFETCH(int, epilogue);
        QFETCH(bool, gather);
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(bool, inPlace);
        const Epilogue ep = Epilogue(epilogue);
        const int k = 136, xRows = m + 13, yRows = m + 8;
        const auto x = randomVector(std::size_t(xRows * k), 21), wd = randomVector(std::size_t(n * k), 22);
        const auto w = *kernels::prune24(wd.data(), n, k);
        std::vector<std::uint32_t> rows, scatter(static_cast<std::size_t>(yRows));
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 7 + 3) % xRows));
        std::iota(scatter.begin(), scatter.end(), 0u); // distinct rows of Y, in a scrambled order
        std::shuffle(scatter.begin(), scatter.end(), std::mt19937(26));
        scatter.resize(std::size_t(m));
        const auto other = randomVector(std::size_t(m * n), 23), gates = randomVector(std::size_t(m), 24);
        const auto y0 = inPlace ? other : randomVector(std::size_t((ep == Epilogue::GateScatterAdd ? yRows : m) * n), 25);
        std::vector<float> acc(std::size_t(m * n));
        kernels::ref::ssmm24(x.data(), w, gather ? rows.data() : nullptr, acc.data(), m);
        const auto want = afterEpilogue(ep, acc, y0, other, gates, scatter, m, n);
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bv = upload(d, w.values), bm = upload(d, w.meta), br = upload(d, rows);
            auto be = upload(d, ep == Epilogue::SiluMul ? other : gates), bf = upload(d, scatter), by = upload(d, y0);
            KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), gather ? br.get() : nullptr, by.get(), m, n, k, 0, "epilogue"};
            c.epilogue = ep;
            c.accumulate = ep == Epilogue::Store;
            c.e = inPlace ? by.get() : be.get();
            c.f = bf.get();
            c.yRows = yRows;
            std::string why;
            QVERIFY2(d->supports(c, &why), (d->props().name + ": " + why).c_str());
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Ssmm24), d->props().name.c_str());
        }
    }

    void csrAggregations_data() {
        QTest::addColumn<int>("how");
        QTest::newRow("sum") << int(Aggregation::Sum);
        QTest::newRow("mean") << int(Aggregation::Mean);
        QTest::newRow("max") << int(Aggregation::Max);
    }
    void csrAggregations() {
        QFETCH(int, how);
        const auto a = smallGraph();
        const int f = 19;
        const auto x = randomVector(std::size_t(a.cols * f), 31);
        std::vector<float> want(std::size_t(a.rows * f));
        const kernels::Aggregation kh = how == int(Aggregation::Mean) ? kernels::Aggregation::Mean
                                        : how == int(Aggregation::Max) ? kernels::Aggregation::Max
                                                                       : kernels::Aggregation::Sum;
        kernels::ref::aggregate(a, x.data(), f, kh, want.data());
        for (Device *d : availableDevices()) {
            auto got = runAggregate(*d, a, x.data(), f, Aggregation(how));
            QVERIFY2(got.ok(), (d->props().name + ": " + (got.ok() ? "" : got.error().message)).c_str());
            QCOMPARE(got->calls.size(), std::size_t(1));
            QVERIFY2(kernels::ref::nmse(got->y.data(), want.data(), want.size()) < 1e-9, d->props().name.c_str());
            for (int j = 0; j < f; ++j) // the isolated node and the empty row give exactly 0
                QCOMPARE(got->y[std::size_t(6 * f + j)], 0.0f);
        }
    }

    void topKGates_data() { routerShaders(); }
    void topKGates() {
        QFETCH(QByteArray, shader);
        const ForcedRouterShader forced(shader);
        const int m = 67, experts = 8, k = 2;
        auto logits = randomVector(std::size_t(m * experts), 41, 2.0f);
        for (int e = 0; e < experts; ++e) // a row of equal logits: the ties go to the lowest ids
            logits[std::size_t(5 * experts + e)] = 0.25f;
        // the oracle, by hand (finite logits here; the next test covers the rest)
        std::vector<std::uint32_t> wantIds;
        std::vector<double> byHand;
        for (int i = 0; i < m; ++i)
            seaside::testing::topKByHand(logits.data() + i * experts, experts, k, wantIds, byHand);
        const std::vector<float> wantGates(byHand.begin(), byHand.end());
        QCOMPARE(wantIds[10], 0u);
        QCOMPARE(wantIds[11], 1u);
        QCOMPARE(wantGates[10], 0.5f);
        for (Device *d : availableDevices()) {
            auto bl = upload(d, logits), by = upload(d, std::vector<std::uint32_t>(2 * wantIds.size()));
            Status s = d->run({{Op::TopKGates, bl.get(), nullptr, nullptr, nullptr, by.get(), m, experts, k, 0, "router"}});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            QCOMPARE(download<std::uint32_t>(*by, wantIds.size()), wantIds);
            const auto gates = download(*by, wantGates.size(), wantIds.size() * 4);
            QVERIFY2(kernels::ref::nmse(gates.data(), wantGates.data(), gates.size()) < 1e-12, d->props().name.c_str());
        }
        std::string why;
        auto bl = upload(availableDevices().front(), logits);
        QVERIFY(!availableDevices().front()->supports(
            {Op::TopKGates, bl.get(), nullptr, nullptr, nullptr, bl.get(), m, experts, experts + 1, 0, "k>n"}, &why));
        QVERIFY2(why.find("top-k") != std::string::npos, why.c_str());
    }

    // NaN is never picked (a row short of k comparable logits gets kNoExpert, gate 0), +inf logits
    // share the gates, and every device agrees with the oracle on all of it.
    void topKGatesNonFinite_data() { routerShaders(); }
    void topKGatesNonFinite() {
        QFETCH(QByteArray, shader);
        const ForcedRouterShader forced(shader);
        const float nan = std::nanf(""), inf = INFINITY;
        const int experts = 6, k = 2;
        const std::vector<float> logits = {
            nan,  1,    3,    2,    0,    -1,   // NaN at expert 0 must not win
            nan,  nan,  nan,  nan,  nan,  nan,  // nothing to pick
            nan,  nan,  0.5f, nan,  nan,  nan,  // one expert to pick
            1,    inf,  0,    inf,  2,    nan,  // two +inf logits share the gates
            inf,  3,    5,    -inf, 0,    0,    // +inf, then the next largest logit
            -inf, -inf, -inf, -inf, -inf, -inf, // all equal: the lowest ids, equal gates
            nan,  2,    -inf, nan,  nan,  nan,  // -inf is picked last, with gate 0
        };
        const int m = int(logits.size()) / experts;
        const std::uint32_t none = kernels::kNoExpert;
        const std::vector<std::uint32_t> ids = {2, 3, none, none, 2, none, 1, 3, 0, 2, 0, 1, 1, 2};
        const float e1 = float(std::exp(-1.0) / (1.0 + std::exp(-1.0)));
        const std::vector<float> gates = {1 - e1, e1, 0, 0, 1, 0, 0.5f, 0.5f, 1, 0, 0.5f, 0.5f, 1, 0};
        std::vector<std::uint32_t> gotIds(ids.size());
        std::vector<float> gotGates(ids.size());
        kernels::topKGates(logits.data(), m, experts, k, gotIds.data(), gotGates.data());
        QCOMPARE(gotIds, ids);
        for (std::size_t i = 0; i < gates.size(); ++i)
            QVERIFY2(std::abs(gotGates[i] - gates[i]) < 1e-6f, ("CPU oracle gate " + std::to_string(i)).c_str());
        for (Device *d : availableDevices()) {
            auto bl = upload(d, logits), by = upload(d, std::vector<std::uint32_t>(2 * ids.size()));
            Status st = d->run({{Op::TopKGates, bl.get(), nullptr, nullptr, nullptr, by.get(), m, experts, k, 0, "router"}});
            QVERIFY2(st.ok(), (d->props().name + ": " + st.message()).c_str());
            QCOMPARE(download<std::uint32_t>(*by, ids.size()), ids);
            const auto dg = download(*by, gates.size(), ids.size() * 4);
            for (std::size_t i = 0; i < gates.size(); ++i)
                QVERIFY2(std::abs(dg[i] - gates[i]) < 1e-6f, (d->props().name + ": gate " + std::to_string(i)).c_str());
        }
    }

    // The router shader each Vulkan device picks (ops/topk_gates.cpp has the timings): a
    // workgroup per row on GPUs; on CPU implementations an invocation per row while Mesa's loop
    // limit allows, then a workgroup per row, then a refusal naming the limit. SEASIDE_VK_TOPK
    // forces a shader within those bounds; the router tests' forced rows rely on it.
    void vulkanRouterShaderChoice() {
#ifndef SEASIDE_HAVE_VULKAN
        QSKIP("Vulkan backend not built (no Vulkan headers or glslc at configure time): runs in builds with Vulkan, as in CI on lavapipe");
#else
        using vk::ops::TopKShader;
        int checked = 0;
        for (Device *d : availableDevices()) {
            if (d->props().backend != "vulkan")
                continue;
            const vk::Context &ctx = static_cast<vk::VulkanDevice *>(d)->context(); // the Vulkan backend's devices
            const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
            auto a = upload(d, std::vector<float>(4096)), y = upload(d, std::vector<float>(2 * 4096));
            const auto call = [&](std::int64_t experts, std::int64_t k) { // one row
                return KernelCall{Op::TopKGates, a.get(), nullptr, nullptr, nullptr, y.get(), 1, experts, k, 0, "router"};
            };
            const auto shader = [&](const char *forced, std::int64_t experts, std::int64_t k) {
                const ForcedRouterShader force(forced);
                return vk::ops::topKGatesShader(ctx, call(experts, k));
            };
            const TopKShader own = cpu ? TopKShader::Invocation : TopKShader::Workgroup;
            QCOMPARE(shader("", 256, 8), own);
            QCOMPARE(shader("neither", 256, 8), own); // not a shader: the device's choice
            QCOMPARE(shader("workgroup", 256, 8), TopKShader::Workgroup);
            QCOMPARE(shader("invocation", 256, 8), TopKShader::Invocation);
            // top 70 of 1000: 70,210 loop iterations for one invocation, 1,750 for each of a workgroup
            QCOMPARE(shader("", 1000, 70), TopKShader::Workgroup);
            QCOMPARE(shader("invocation", 1000, 70), cpu ? TopKShader::Workgroup : TopKShader::Invocation);
            // top 4096 of 4096: 4096 * 73 iterations for each of a workgroup
            std::string why;
            const bool fits = d->supports(call(4096, 4096), &why);
            QCOMPARE(shader("", 4096, 4096), cpu ? TopKShader::None : TopKShader::Workgroup);
            QCOMPARE(fits, !cpu);
            if (cpu)
                QVERIFY2(why.find("65535 loop iterations") != std::string::npos, why.c_str());
            ++checked;
        }
        if (!checked)
            QSKIP("no Vulkan device in this run (initTestCase says why): runs where one is, as in CI on lavapipe, which ctest requires (SEASIDE_REQUIRE_VULKAN=1)");
#endif
    }

    // Rows of many experts, on both Vulkan shaders: past CUDA's warp-per-row limit (1024, then a
    // block per row), k above the 64 invocations of Vulkan's workgroup and CUDA's 128 threads, and
    // every expert picked (k = n), on random, tied, non-finite and huge logits, against the oracle
    // on every device.
    void topKGatesManyExperts_data() { routerShaders(); }
    void topKGatesManyExperts() {
        QFETCH(QByteArray, shader);
        const ForcedRouterShader forced(shader);
        const int shapes[][3] = {{37, 257, 8}, {5, 1000, 70}, {3, 4096, 2}, {2, 300, 300}, {4, 1025, 5}, {2, 1500, 1500}};
        for (const auto &s : shapes)
            for (int variant = 0; variant < testing::kRouterLogitKinds; ++variant) {
                const int m = s[0], experts = s[1], k = s[2];
                const auto logits = testing::routerLogits(m, experts, variant, 43 + unsigned(variant));
                std::vector<std::uint32_t> ids(std::size_t(m * k));
                std::vector<float> gates(ids.size());
                kernels::topKGates(logits.data(), m, experts, k, ids.data(), gates.data());
                const std::string shape = std::to_string(m) + "x" + std::to_string(experts) + " top " + std::to_string(k) +
                                          " variant " + std::to_string(variant);
                for (Device *d : availableDevices()) {
                    auto bl = upload(d, logits), by = upload(d, std::vector<std::uint32_t>(2 * ids.size(), 0xdeadbeefu));
                    const Status st = d->run({{Op::TopKGates, bl.get(), nullptr, nullptr, nullptr, by.get(), m, experts, k, 0, "router"}});
                    const std::string where = d->props().name + ", " + shape;
                    QVERIFY2(st.ok(), (where + ": " + st.message()).c_str());
                    QVERIFY2(download<std::uint32_t>(*by, ids.size()) == ids, where.c_str());
                    const auto got = download(*by, gates.size(), ids.size() * 4);
                    for (std::size_t i = 0; i < gates.size(); ++i)
                        QVERIFY2(std::abs(got[i] - gates[i]) <= 1e-6f * std::max(1.0f, std::abs(gates[i])),
                                 (where + ": gate " + std::to_string(i)).c_str());
                }
            }
    }

    // A hub node: one row of many entries (a power-law graph's largest degree). Rows of 20,000 and
    // 70,000 run right everywhere; one of 300,000 gives the right sums or a refusal naming the
    // limit: lavapipe would end the shader's loops early (Mesa's loop limit, ops/csr_spmm.cpp).
    void csrLongRowRightOrRefused() {
        const int features = 16, cols = 500;
        for (const int entries : {20000, 70000, 300000}) {
            const std::vector<std::int32_t> rowPtr = {0, entries};
            std::vector<std::int32_t> colIdx(static_cast<std::size_t>(entries));
            for (int e = 0; e < entries; ++e)
                colIdx[std::size_t(e)] = std::int32_t(std::int64_t(e) * 7919 % cols);
            const auto vals = randomVector(std::size_t(entries), 61), x = randomVector(std::size_t(cols * features), 62);
            std::vector<float> want(features);
            kernels::ref::csrSpmm(rowPtr.data(), colIdx.data(), vals.data(), x.data(), want.data(), 1, features);
            for (Device *d : availableDevices()) {
                auto a = upload(d, rowPtr), b = upload(d, colIdx), c = upload(d, vals), xx = upload(d, x),
                     y = upload(d, std::vector<float>(features, -1.0f));
                const Status st = d->run({{Op::CsrSpmm, a.get(), b.get(), c.get(), xx.get(), y.get(), 1, features, cols,
                                           entries, "hub"}});
                const std::string where = d->props().name + ", " + std::to_string(entries) + " entries";
                if (!st.ok()) {
                    QVERIFY2(entries > 70000 && st.message().find("65535") != std::string::npos,
                             (where + ": " + st.message()).c_str());
                    continue;
                }
                const auto got = download(*y, want.size());
                QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < 1e-9, where.c_str());
            }
        }
    }

    // Max aggregation ignores NaN products on every device; a row with none left gives -inf, an
    // empty row 0 (the oracle's rule).
    void csrMaxIgnoresNaNProducts() {
        const float nan = std::nanf(""), inf = INFINITY;
        kernels::Csr a;
        a.rows = a.cols = 3;
        a.rowPtr = {0, 2, 3, 3}; // row 0 <- nodes 0, 1; row 1 <- node 1; row 2 empty
        a.colIdx = {0, 1, 1};
        a.values = {1, 1, 1};
        const std::vector<float> x = {1, nan, nan, nan, 5, 5}; // 3 nodes x 2 features
        const std::vector<float> want = {1, -inf, -inf, -inf, 0, 0};
        std::vector<float> oracle(want.size());
        kernels::ref::aggregate(a, x.data(), 2, kernels::Aggregation::Max, oracle.data());
        QCOMPARE(oracle, want);
        for (Device *d : availableDevices()) {
            auto got = runAggregate(*d, a, x.data(), 2, Aggregation::Max);
            QVERIFY2(got.ok(), got.ok() ? "" : got.error().message.c_str());
            QVERIFY2(got->y == want, d->props().name.c_str());
        }
    }

    // A token whose router logits are all NaN (its activations are): a clear error naming it.
    void moeLayerRefusesNanLogits() {
        const kernels::MoeShape s{5, 128, 256, 4, 2};
        const auto dense = randomMoe(s, 63);
        const kernels::MoeShape narrow{5, 64, 96, 4, 2}; // 64 columns: no room for Samoyeds blocks of v = 128
        const auto refused = kernels::pruneMoe(narrow, randomMoe(narrow, 63));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("expert 0 w1") != std::string::npos, refused.error().message.c_str());
        const auto pruned = kernels::pruneMoe(s, dense);
        QVERIFY(pruned.ok());
        const auto w24 = toSparse24(s, *pruned);
        QVERIFY(w24.ok());
        auto outside = *pruned; // a kept row index past its group of M = 2: densifying it would write out of bounds
        outside.w3[1].indices[0] = 7;
        const auto refusedIndex = toSparse24(s, outside);
        QVERIFY(!refusedIndex.ok());
        QVERIFY2(refusedIndex.error().message.find("expert 1") != std::string::npos, refusedIndex.error().message.c_str());
        auto x = randomVector(std::size_t(s.tokens * s.hidden), 64);
        x[std::size_t(3 * s.hidden + 7)] = std::nanf("");
        // the CPU kernels refuse it in the same words
        std::vector<float> y(x.size());
        for (const Status &st : {kernels::cpu::moeSamoyeds(x.data(), s, *pruned, y.data()),
                                 kernels::cpu::moeDense(x.data(), s, dense, y.data()),
                                 kernels::ref::moe(x.data(), s, dense, y.data())}) {
            QVERIFY(!st.ok());
            QVERIFY2(st.message().find("token 3") != std::string::npos && st.message().find("NaN") != std::string::npos,
                     st.message().c_str());
        }
        for (Device *d : availableDevices()) {
            auto moe = MoeOnDevice::prepare(*d, s, *w24);
            QVERIFY(moe.ok());
            auto got = moe->run(x.data());
            QVERIFY2(!got.ok(), d->props().name.c_str());
            const std::string why = got.error().message;
            QVERIFY2(why.find("token 3") != std::string::npos && why.find("NaN") != std::string::npos, why.c_str());
        }
    }

    void gemmF16() {
        const int m = 45, n = 70, k = 100; // none a multiple of a tensor-core tile
        const auto x = randomVector(std::size_t(m * k), 51), w = randomVector(std::size_t(n * k), 52);
        std::vector<std::uint16_t> xh, wh;
        std::vector<float> xr, wr; // the values fp16 really holds: the reference multiplies those
        for (float v : x) {
            xh.push_back(kernels::floatToHalf(v));
            xr.push_back(kernels::halfToFloat(xh.back()));
        }
        for (float v : w) {
            wh.push_back(kernels::floatToHalf(v));
            wr.push_back(kernels::halfToFloat(wh.back()));
        }
        QCOMPARE(kernels::halfToFloat(kernels::floatToHalf(1.0f / 3.0f)), 0.333251953125f);
        QCOMPARE(kernels::floatToHalf(65520.0f), std::uint16_t(0x7c00)); // rounds past the largest half
        std::vector<float> want(std::size_t(m * n));
        kernels::ref::gemm(xr.data(), wr.data(), want.data(), m, n, k);
        int ran = 0;
        for (Device *d : availableDevices()) {
            auto bx = upload(d, xh), bw = upload(d, wh), by = upload(d, std::vector<float>(want.size()));
            const KernelCall c{Op::GemmF16, bx.get(), bw.get(), nullptr, nullptr, by.get(), m, n, k, 0, "gemm_f16"};
            std::string why;
            if (!d->supports(c, &why)) {
                QVERIFY2(why.find("fp16") != std::string::npos, why.c_str());
                qInfo("%s: no fp16 GEMM (%s)", d->props().name.c_str(), why.c_str());
                continue;
            }
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::GemmF16), d->props().name.c_str());
            ++ran;
        }
        if (!ran)
            QSKIP("no device here has fp16 arithmetic (the CPU has none): fp16 GEMM runs where a Vulkan device has "
                  "shaderFloat16 (lavapipe, so in CI) or a CUDA device exists");
    }

    // Ssmm24 with Samoyeds' row selection (g): only kept rows are multiplied, each into the row
    // it stands for in its block of V columns, through every epilogue. The reference is the
    // densified matrix (finite inputs: a dropped row's 0 x X is 0 there too).
    void ssmmSamoyeds_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("keep"); // N
        QTest::addColumn<int>("group"); // M
        QTest::addColumn<int>("block"); // V
        QTest::addColumn<int>("epilogue");
        QTest::newRow("1:2 over 128, store") << 37 << 70 << 256 << 1 << 2 << 128 << int(Epilogue::Store);
        QTest::newRow("1:2 over 128, silu-mul") << 37 << 70 << 256 << 1 << 2 << 128 << int(Epilogue::SiluMul);
        QTest::newRow("1:2 over 128, gate-scatter-add") << 37 << 70 << 256 << 1 << 2 << 128 << int(Epilogue::GateScatterAdd);
        QTest::newRow("2:4 over 64") << 9 << 72 << 192 << 2 << 4 << 64 << int(Epilogue::Store);
        QTest::newRow("1:4 over 32") << 5 << 36 << 96 << 1 << 4 << 32 << int(Epilogue::Store);
        QTest::newRow("3:4 over 64") << 20 << 40 << 128 << 3 << 4 << 64 << int(Epilogue::SiluMul);
        QTest::newRow("2:2 (no row sparsity)") << 3 << 6 << 64 << 2 << 2 << 32 << int(Epilogue::Store);
        QTest::newRow("300 tokens") << 300 << 130 << 256 << 1 << 2 << 128 << int(Epilogue::GateScatterAdd);
    }
    void ssmmSamoyeds() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(int, keep);
        QFETCH(int, group);
        QFETCH(int, block);
        QFETCH(int, epilogue);
        const Epilogue ep = Epilogue(epilogue);
        const int xRows = m + 5, yRows = m + 9;
        const auto x = randomVector(std::size_t(xRows * k), 41), wd = randomVector(std::size_t(n * k), 42);
        const auto w = kernels::pruneSamoyeds(wd.data(), n, k, keep, group, block);
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().message.c_str());
        std::vector<std::uint32_t> rows, scatter(static_cast<std::size_t>(yRows));
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 3 + 2) % xRows));
        std::iota(scatter.begin(), scatter.end(), 0u);
        std::shuffle(scatter.begin(), scatter.end(), std::mt19937(43));
        scatter.resize(std::size_t(m));
        // the product by the densified weights: X[rows] . W^T
        std::vector<float> gathered, acc(std::size_t(m * n));
        for (int i = 0; i < m; ++i)
            gathered.insert(gathered.end(), x.begin() + rows[std::size_t(i)] * k, x.begin() + (rows[std::size_t(i)] + 1) * k);
        kernels::ref::gemm(gathered.data(), kernels::densify(*w).data(), acc.data(), m, n, k);
        const auto other = randomVector(std::size_t(m * n), 44), gates = randomVector(std::size_t(m), 45);
        const auto y0 = randomVector(std::size_t((ep == Epilogue::GateScatterAdd ? yRows : m) * n), 46);
        const auto want = afterEpilogue(ep, acc, y0, other, gates, scatter, m, n);
        int ran = 0;
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bv = upload(d, w->compact.values), bm = upload(d, w->compact.meta);
            auto bg = upload(d, w->indices), br = upload(d, rows), by = upload(d, y0);
            auto be = upload(d, ep == Epilogue::SiluMul ? other : gates), bf = upload(d, scatter);
            KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), br.get(), by.get(), m, n, k, 0, "samoyeds"};
            c.g = bg.get();
            c.selection = {keep, group, block};
            c.epilogue = ep;
            c.accumulate = ep == Epilogue::Store;
            c.e = be.get();
            c.f = bf.get();
            c.yRows = yRows;
            std::string why;
            if (!d->supports(c, &why)) {
                // every device but CUDA has the kernel (MoeOnDevice gives CUDA plain 2:4)
                QVERIFY2(d->props().backend == "cuda", (d->props().name + ": " + why).c_str());
                continue;
            }
            Status s = d->run({c});
            QVERIFY2(s.ok(), (d->props().name + ": " + s.message()).c_str());
            const auto got = download(*by, want.size());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < bound(d, Op::Ssmm24), d->props().name.c_str());
            ++ran;
        }
        QVERIFY(ran >= 1); // the CPU at least
    }

    // A row a block drops gets nothing from that block, not 0 x X: an infinity in X there leaves it
    // finite, while the row the block keeps becomes infinite or NaN. W: 2 rows (one group of M = 2,
    // N = 1), 2 blocks of 32 columns; block 0 keeps row 0, block 1 row 1.
    void ssmmSamoyedsDroppedRowsIgnoreInfinities() {
        const int k = 64;
        std::vector<float> compact(static_cast<std::size_t>(k)), x = randomVector(static_cast<std::size_t>(k), 51);
        for (int c = 0; c < k; ++c)
            compact[std::size_t(c)] = c % 4 < 2 ? 0.5f + 0.01f * float(c) : 0.0f; // positions 0, 1 of each group
        kernels::Samoyeds w;
        w.rows = 2;
        w.k = k;
        w.n = 1;
        w.m = 2;
        w.v = 32;
        w.indices = {0, 1};
        w.compact = *kernels::prune24(compact.data(), 1, k);
        QVERIFY(kernels::validate(w).ok());
        x[5] = std::numeric_limits<float>::infinity(); // block 0, group 1, position 1: a kept value of row 0
        double row1 = 0;
        for (int c = 32; c < k; ++c)
            row1 += double(compact[std::size_t(c)]) * x[std::size_t(c)];
        for (Device *d : availableDevices()) {
            auto bx = upload(d, x), bv = upload(d, w.compact.values), bm = upload(d, w.compact.meta);
            auto bg = upload(d, w.indices), by = upload(d, std::vector<float>(2));
            KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), nullptr, by.get(), 1, 2, k, 0, "samoyeds"};
            c.g = bg.get();
            c.selection = {1, 2, 32};
            if (!d->supports(c))
                continue; // CUDA: no Samoyeds kernel (ssmmSamoyeds checks that only CUDA refuses)
            QVERIFY2(d->run({c}).ok(), d->props().name.c_str());
            const auto y = download(*by, 2);
            QVERIFY2(!std::isfinite(y[0]), d->props().name.c_str());
            QVERIFY2(std::abs(double(y[1]) - row1) <= 1e-5 * std::abs(row1) + 1e-6, d->props().name.c_str());
        }
    }

    // A row selection that does not fit the call's shape is refused, naming what is wrong.
    void ssmmSamoyedsShapeRefused() {
        Device *cpu = availableDevices().front();
        auto buf = upload(cpu, std::vector<float>(4096));
        KernelCall c{Op::Ssmm24, buf.get(), buf.get(), buf.get(), nullptr, buf.get(), 4, 8, 64, 0, "samoyeds"};
        c.g = buf.get();
        const auto refused = [&](RowSelection r, const char *words) {
            c.selection = r;
            std::string why;
            return !cpu->supports(c, &why) && why.find(words) != std::string::npos;
        };
        QVERIFY(refused({1, 2, 48}, "V a positive multiple of 32"));
        QVERIFY(refused({3, 2, 32}, "1 <= N <= M <= 64"));
        QVERIFY(refused({1, 128, 32}, "1 <= N <= M <= 64")); // tiny buffers, a huge M
        QVERIFY(refused({1, 3, 32}, "n divisible by M"));
        QVERIFY(refused({1, 2, 128}, "k divisible by V"));
        c.selection = {1, 2, 32};
        std::string why;
        QVERIFY2(cpu->supports(c, &why), why.c_str());
        KernelCall gemm{Op::Gemm, buf.get(), buf.get(), nullptr, nullptr, buf.get(), 4, 8, 64, 0, "gemm"};
        gemm.g = buf.get();
        QVERIFY(!cpu->supports(gemm, &why) && why.find("row indices (g) belong to ssmm24") != std::string::npos);
    }

    // The whole MoE layer on every device against the CPU's Samoyeds layer and the oracle on the
    // same kept weights; experts with no token and with every token included, and a router over
    // more experts than Vulkan's invocation-per-row shader takes (its wide one runs; most experts
    // get no token).
    void moeLayer_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("experts");
        QTest::addColumn<int>("topK");
        QTest::addColumn<int>("width"); // hidden and intermediate: 256 and 384, or both 128
        QTest::newRow("balanced") << 40 << 4 << 2 << 256;
        QTest::newRow("one-token") << 1 << 8 << 2 << 256;
        QTest::newRow("all-experts") << 13 << 3 << 3 << 256;
        QTest::newRow("300 experts, top 8") << 16 << 300 << 8 << 128;
    }
    void moeLayer() {
        QFETCH(int, tokens);
        QFETCH(int, experts);
        QFETCH(int, topK);
        QFETCH(int, width);
        const kernels::MoeShape s{tokens, width, width == 256 ? 384 : width, experts, topK};
        const auto dense = randomMoe(s, 61);
        const auto pruned = kernels::pruneMoe(s, dense);
        QVERIFY2(pruned.ok(), pruned.ok() ? "" : pruned.error().message.c_str());
        const kernels::MoeSamoyedsWeights &sam = *pruned;
        const auto x = randomVector(std::size_t(tokens * s.hidden), 62);
        std::vector<float> want(x.size()), cpuSamoyeds(x.size());
        QVERIFY(kernels::ref::moe(x.data(), s, kernels::densify(sam), want.data()).ok());
        QVERIFY(kernels::cpu::moeSamoyeds(x.data(), s, sam, cpuSamoyeds.data()).ok());
        QVERIFY(kernels::ref::nmse(cpuSamoyeds.data(), want.data(), want.size()) < 1e-9);
        const auto w24 = toSparse24(s, sam);
        QVERIFY(w24.ok());
        const auto routed = kernels::route(x.data(), s, sam.router);
        QVERIFY(routed.ok());
        const kernels::Routing &routing = *routed;
        std::size_t used = 0;
        for (const auto &list : routing.tokens)
            used += list.empty() ? 0 : 1;
        if (tokens == 1)
            QCOMPARE(used, std::size_t(topK)); // the other experts get no token and cost no call
        for (Device *d : availableDevices()) {
            auto moe = MoeOnDevice::prepare(*d, s, *w24);
            QVERIFY2(moe.ok(), moe.ok() ? "" : moe.error().message.c_str());
            auto got = moe->run(x.data());
            QVERIFY2(got.ok(), (d->props().name + ": " + (got.ok() ? "" : got.error().message)).c_str());
            QVERIFY2(kernels::ref::nmse(got->y.data(), want.data(), want.size()) < bound(d, Op::Ssmm24), d->props().name.c_str());
            // router, top-k, then three calls per expert that got a token
            QCOMPARE(got->calls.size(), 2 + 3 * used);
            QVERIFY(got->calls[2].label.rfind("expert", 0) == 0 && got->calls[2].label.ends_with(".w1"));
            QVERIFY(got->deviceSeconds() > 0);
            // Samoyeds' weights as they are: only the kept rows multiplied where the device can
            auto direct = MoeOnDevice::prepare(*d, s, sam);
            QVERIFY2(direct.ok(), direct.ok() ? "" : direct.error().message.c_str());
            QCOMPARE(direct->rowSelectedMatrices(), d->props().backend == "cuda" ? 0 : std::size_t(3 * experts));
            auto gotDirect = direct->run(x.data());
            QVERIFY2(gotDirect.ok(), (d->props().name + ": " + (gotDirect.ok() ? "" : gotDirect.error().message)).c_str());
            QVERIFY2(kernels::ref::nmse(gotDirect->y.data(), want.data(), want.size()) < bound(d, Op::Ssmm24),
                     d->props().name.c_str());
            QCOMPARE(gotDirect->calls.size(), 2 + 3 * used);
            // again on other tokens: the layer's buffers are reused, grown where an expert gets more
            const auto x2 = randomVector(x.size(), 63);
            std::vector<float> want2(x.size());
            QVERIFY(kernels::ref::moe(x2.data(), s, kernels::densify(sam), want2.data()).ok());
            for (auto *layer : {&*moe, &*direct}) {
                auto second = layer->run(x2.data());
                QVERIFY2(second.ok(), (d->props().name + ": " + (second.ok() ? "" : second.error().message)).c_str());
                QVERIFY2(kernels::ref::nmse(second->y.data(), want2.data(), want2.size()) < bound(d, Op::Ssmm24),
                         d->props().name.c_str());
            }
        }
        auto brokenSam = sam;
        brokenSam.w1[0].indices[0] = 9; // outside its group of 2
        const auto refused = MoeOnDevice::prepare(*availableDevices().front(), s, brokenSam);
        QVERIFY(!refused.ok() && refused.error().message.find("expert 0: Samoyeds format: row index 9") != std::string::npos);
        auto broken = *w24;
        broken.w2.pop_back();
        QVERIFY(!MoeOnDevice::prepare(*availableDevices().front(), s, broken).ok());
    }

    void gnnLayers() {
        const auto a = smallGraph();
        const auto normalized = kernels::gcnNormalized(a);
        QVERIFY(normalized.ok());
        const kernels::Csr &ahat = *normalized;
        const int fIn = 24, fOut = 13;
        const auto x = randomVector(std::size_t(a.cols * fIn), 71), w = randomVector(std::size_t(fOut * fIn), 72);
        const auto wn = randomVector(std::size_t(fOut * fIn), 73);
        std::vector<float> wantGcn(std::size_t(a.rows * fOut)), wantSage(wantGcn.size());
        kernels::ref::gcn(ahat, x.data(), fIn, w.data(), fOut, wantGcn.data());
        kernels::ref::sage(a, x.data(), fIn, w.data(), wn.data(), fOut, wantSage.data());
        for (Device *d : availableDevices()) {
            auto gcn = runGcn(*d, ahat, x.data(), fIn, w.data(), fOut);
            QVERIFY2(gcn.ok(), (d->props().name + ": " + (gcn.ok() ? "" : gcn.error().message)).c_str());
            QVERIFY2(kernels::ref::nmse(gcn->y.data(), wantGcn.data(), wantGcn.size()) < 1e-9, d->props().name.c_str());
            auto sage = runSage(*d, a, x.data(), fIn, w.data(), wn.data(), fOut);
            QVERIFY2(sage.ok(), (d->props().name + ": " + (sage.ok() ? "" : sage.error().message)).c_str());
            QVERIFY2(kernels::ref::nmse(sage->y.data(), wantSage.data(), wantSage.size()) < 1e-9, d->props().name.c_str());
            QCOMPARE(sage->calls.size(), std::size_t(3));
        }
        auto bad = a;
        bad.colIdx[2] = 99; // out of range: refused before anything reaches a device
        auto r = runGcn(*availableDevices().back(), bad, x.data(), fIn, w.data(), fOut);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("99") != std::string::npos, r.error().message.c_str());
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
            // a scatter-add that does not say how many rows Y has
            KernelCall scatter{Op::Ssmm24, big.get(), big.get(), big.get(), nullptr, big.get(), 2, 2, 8, 0, "w2"};
            scatter.epilogue = Epilogue::GateScatterAdd;
            scatter.e = big.get();
            scatter.f = big.get();
            QVERIFY(!d->supports(scatter, &why));
            QVERIFY2(why.find("yRows") != std::string::npos, why.c_str());
            // over-long upload
            QVERIFY(!small->upload(std::vector<float>(9).data(), 9 * sizeof(float)).ok());
        }
    }

    // Out-of-range ids, repeated scatter rows, broken metadata and broken CSR: refused on every
    // device with the same words (the CPU checks before it runs; the GPU kernels flag the call and
    // the device names the fault), the run after it unharmed.
    void badContentsFailOnEveryDevice_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("expected");
        for (const auto &c : seaside::testing::badContentsCases())
            QTest::newRow(c.fault) << QString(c.fault) << QString(c.expected);
    }
    void badContentsFailOnEveryDevice() {
        QFETCH(QString, fault);
        QFETCH(QString, expected);
        for (Device *d : availableDevices()) {
            const std::string f = fault.toStdString();
            // a good call first, so that the fault must be pinned on the second
            auto gx = upload(d, randomVector(16, 3)), gw = upload(d, randomVector(16, 4)), gy = upload(d, std::vector<float>(16));
            const KernelCall good{Op::Gemm, gx.get(), gw.get(), nullptr, nullptr, gy.get(), 4, 4, 4, 0, "good"};
            std::vector<std::unique_ptr<Buffer>> keep;
            const KernelCall bad = seaside::testing::badContentsCall(*d, f, keep);
            if (bad.g && d->props().backend == "cuda")
                continue; // no Samoyeds kernel on CUDA (ssmmSamoyeds says so)
            QVERIFY2(d->supports(bad), d->props().name.c_str()); // the shape is fine: only the contents are wrong
            const Status s = d->run({good, bad});
            QVERIFY2(!s.ok(), (d->props().name + ": " + f).c_str());
            QVERIFY2(s.message().find(expected.toStdString()) != std::string::npos, s.message().c_str());
            QVERIFY2(s.message().find("expert") != std::string::npos || s.message().find("graph") != std::string::npos,
                     s.message().c_str());
            // the next run starts clean, and the good call alone still runs right
            QVERIFY2(d->run({good}).ok(), d->props().name.c_str());
            std::vector<float> want(16);
            kernels::ref::gemm(randomVector(16, 3).data(), randomVector(16, 4).data(), want.data(), 4, 4, 4);
            QVERIFY(kernels::ref::nmse(download(*gy, 16).data(), want.data(), want.size()) < bound(d, Op::Gemm));
        }
    }

    // Several checked calls in one run, on every device: two scatter-adds into the same rows of Y
    // (each row once per call, as MoE's experts do) and a graph aggregation run clean and right;
    // a bad call after them is pinned on itself, and the next run is clean again.
    void checkedCallsInOneRun() {
        const std::vector<float> xs = randomVector(24, 1), ws = randomVector(12, 2), gs{0.5f, 1, 2}, xg = randomVector(12, 5);
        // The oracle, written out by hand: row n of W keeps positions (p0, p1) of each group of 4,
        // from the metadata words below (0x44: (0,1) (0,1); 0xC8: (0,2) (0,3); 0xE9: (1,2) (2,3)).
        const int kept[3][2][2] = {{{0, 1}, {0, 1}}, {{0, 2}, {0, 3}}, {{1, 2}, {2, 3}}};
        std::vector<float> want(12 + 9, 0.0f);
        for (const std::vector<std::uint32_t> &rows : {std::vector<std::uint32_t>{3, 1, 0}, {1, 3, 2}})
            for (int i = 0; i < 3; ++i)
                for (int n = 0; n < 3; ++n) {
                    double dot = 0;
                    for (int g = 0; g < 2; ++g)
                        for (int s = 0; s < 2; ++s)
                            dot += double(ws[std::size_t(n * 4 + g * 2 + s)]) * xs[std::size_t(i * 8 + g * 4 + kept[n][g][s])];
                    want[rows[std::size_t(i)] * 3 + std::size_t(n)] += float(gs[std::size_t(i)] * dot);
                }
        for (int c = 0; c < 3; ++c) // the graph: row 0 is 1 x X[2], row 1 is 2 x X[0] + 3 x X[3], row 2 is empty
            want[std::size_t(12 + c)] = xg[std::size_t(2 * 3 + c)], want[std::size_t(15 + c)] = 2 * xg[std::size_t(c)] + 3 * xg[std::size_t(9 + c)];
        for (Device *d : availableDevices()) {
            std::vector<std::unique_ptr<Buffer>> keep;
            auto put = [&](const auto &v) { return keep.emplace_back(upload(d, v)).get(); };
            Buffer *x = put(xs), *w = put(ws), *gates = put(gs);
            Buffer *meta = put(std::vector<std::uint32_t>{0x44u, 0xC8u, 0xE9u}), *y = put(std::vector<float>(12));
            auto scatterAdd = [&](std::vector<std::uint32_t> rows, const char *label) {
                KernelCall c{Op::Ssmm24, x, w, meta, nullptr, y, 3, 3, 8, 0, label};
                c.epilogue = Epilogue::GateScatterAdd;
                c.e = gates;
                c.f = put(rows);
                c.yRows = 4;
                return c;
            };
            const KernelCall a = scatterAdd({3, 1, 0}, "a"), b = scatterAdd({1, 3, 2}, "b");
            Buffer *ys = put(std::vector<float>(12));
            const KernelCall graph{Op::CsrSpmm, put(std::vector<std::int32_t>{0, 1, 3, 3}), put(std::vector<std::int32_t>{2, 0, 3}),
                                   put(std::vector<float>{1, 2, 3}), put(xg), ys, 3, 3, 4, 3, "graph"};
            const Status clean = d->run({a, b, graph});
            QVERIFY2(clean.ok(), clean.message().c_str());
            std::vector<float> got = download(*y, 12);
            const std::vector<float> agg = download(*ys, 9);
            got.insert(got.end(), agg.begin(), agg.end());
            QVERIFY2(kernels::ref::nmse(got.data(), want.data(), want.size()) < 1e-9, d->props().name.c_str());
            // the third call repeats row 3: named as such, the two before it not blamed
            const Status bad = d->run({a, b, scatterAdd({3, 0, 3}, "third")});
            QVERIFY(!bad.ok());
            QVERIFY2(bad.message().find("third") != std::string::npos, bad.message().c_str());
            QVERIFY2(bad.message().find("scatter row 3 at 2 repeats the one at 0") != std::string::npos, bad.message().c_str());
            const Status again = d->run({b, a, graph});
            QVERIFY2(again.ok(), again.message().c_str());
        }
    }

    // Sizes whose byte counts overflow, buffers of another device, impossible allocations and
    // negative widths: refused with a reason on every device, nothing read or written.
    void hugeOrForeignInputsAreRefused() {
        for (Device *d : availableDevices()) {
            // sizes no memory holds (an underflowed subtraction): refused, not a small buffer
            // that claims to be huge (Vulkan once rounded SIZE_MAX up to 4 bytes)
            for (std::size_t bytes : {std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max() - 2}) {
                const auto b = d->allocate(bytes);
                QVERIFY2(!b.ok(), (d->props().name + ": " + std::to_string(bytes) + " bytes allocated").c_str());
            }
            auto tiny = upload(d, std::vector<float>(1));
            std::string why;
            // 2^40 tokens: past 32 bits
            KernelCall topk{Op::TopKGates, tiny.get(), nullptr, nullptr, nullptr, tiny.get(), std::int64_t(1) << 40, 1, 1, 0, "topk"};
            QVERIFY(!d->supports(topk, &why));
            QVERIFY2(why.find("2^31") != std::string::npos, why.c_str());
            // the largest sizes allowed: X's 4 (2^31-1)^2 bytes, just under 2^64, are refused as such
            const std::int64_t big = std::numeric_limits<std::int32_t>::max();
            KernelCall gemm{Op::Gemm, tiny.get(), tiny.get(), nullptr, nullptr, tiny.get(), big, big, big, 0, "gemm"};
            QVERIFY(!d->supports(gemm, &why));
            QVERIFY2(why.find("X buffer holds 4 bytes") != std::string::npos, why.c_str());
            QVERIFY(!d->run({gemm}).ok());
            // no tokens to route among the most experts a call may name: nothing to do, and no
            // scratch sized by the experts (the CPU router once asked for 16 GiB here; found by fuzzing)
            // (a device whose kernel takes fewer experts refuses the call instead)
            KernelCall noTokens{Op::TopKGates, tiny.get(), nullptr, nullptr, nullptr, tiny.get(), 0, big, 1, 0, "no tokens"};
            const Status empty = d->run({noTokens});
            QVERIFY2(empty.ok() == d->supports(noTokens), empty.message().c_str());
            QVERIFY2(d->props().backend != "cpu" || empty.ok(), empty.message().c_str());
            // the SiLU-multiply epilogue overwrites Y: an accumulate flag would be silently ignored
            KernelCall silu{Op::Ssmm24, tiny.get(), tiny.get(), tiny.get(), nullptr, tiny.get(), 0, 0, 4, 0, "silu"};
            silu.epilogue = Epilogue::SiluMul;
            silu.e = tiny.get();
            silu.accumulate = true;
            QVERIFY(!d->supports(silu, &why));
            QVERIFY2(why.find("accumulate") != std::string::npos, why.c_str());
            // negative widths for the graph layers
            const auto a = smallGraph();
            const std::vector<float> x(std::size_t(a.cols) * 4, 1.0f), w(16, 1.0f);
            auto gcn = runGcn(*d, a, x.data(), -4, w.data(), 4);
            QVERIFY(!gcn.ok());
            QVERIFY2(gcn.error().message.find("fIn = -4") != std::string::npos, gcn.error().message.c_str());
            QVERIFY(!runAggregate(*d, a, x.data(), -1, Aggregation::Sum).ok());
            QVERIFY(!runSage(*d, a, x.data(), 4, w.data(), w.data(), -2).ok());
        }
        Device *cpu = availableDevices().front();
        auto impossible = cpu->allocate(std::size_t(1) << 62);
        QVERIFY(!impossible.ok());
        QVERIFY2(impossible.error().message.find("allocate") != std::string::npos, impossible.error().message.c_str());
        for (Device *other : availableDevices()) { // another device's buffers on the CPU
            if (other == cpu)
                continue;
            auto x = upload(other, std::vector<float>(16)), y = upload(other, std::vector<float>(16));
            std::string why;
            QVERIFY(!cpu->supports({Op::Gemm, x.get(), x.get(), nullptr, nullptr, y.get(), 4, 4, 1, 0, "foreign"}, &why));
            QVERIFY2(why.find("another device") != std::string::npos, why.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestBackendOps)
#include "tst_backend_ops.moc"
