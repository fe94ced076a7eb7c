// Sparse formats and CPU kernels against the plain references (normalised mean squared error).
#include "kernels/cpu_gemm.h"
#include "kernels/cpu_isa.h"
#include "kernels/cpu_ssmm24.h"
#include "kernels/gnn.h"
#include "kernels/moe.h"
#include "kernels/reference.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <omp.h>
#include "../../common/random_data.h"
#include "../../common/top_k_by_hand.h"

using namespace seaside::kernels;

using seaside::testing::randomVector;

namespace {

MoeDenseWeights randomMoe(const MoeShape &s, unsigned seed) {
    MoeDenseWeights w;
    w.router = randomVector(std::size_t(s.experts * s.hidden), seed);
    for (std::int64_t e = 0; e < s.experts; ++e) {
        w.w1.push_back(randomVector(std::size_t(s.intermediate * s.hidden), seed + 10 + unsigned(e)));
        w.w3.push_back(randomVector(std::size_t(s.intermediate * s.hidden), seed + 100 + unsigned(e)));
        w.w2.push_back(randomVector(std::size_t(s.hidden * s.intermediate), seed + 1000 + unsigned(e)));
        for (auto *m : {&w.w1.back(), &w.w3.back(), &w.w2.back()})
            for (auto &x : *m)
                x *= 0.05f;
    }
    return w;
}
// Threads of this process that carry its name (Linux: /proc/self/task/<tid>/comm). OpenMP's and
// OpenBLAS's threads inherit the name; Qt Test's watchdog thread has a name of its own.
int unnamedThreadCount() {
    const auto nameIn = [](const std::filesystem::path &comm) {
        std::ifstream in(comm);
        std::string name;
        std::getline(in, name);
        return name;
    };
    const std::string process = nameIn("/proc/self/comm");
    int count = 0;
    for (const auto &task : std::filesystem::directory_iterator("/proc/self/task"))
        count += nameIn(task.path() / "comm") == process ? 1 : 0;
    return count;
}
} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    // The kernels below run with the CPU's instruction set, or the baseline one where
    // SEASIDE_CPU_ISA=baseline asks (ctest's tst_kernels_baseline: CI's CPU has AVX2, so that run is
    // the only one that reaches the baseline paths).
    void instructionSetAsAsked() {
        __builtin_cpu_init();
        const bool forced = qgetenv("SEASIDE_CPU_ISA") == "baseline";
        const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        const cpu::Isa expected = forced || !avx2 ? cpu::Isa::Baseline : cpu::Isa::X86_64_V3;
        QCOMPARE(cpu::isa(), expected);
        qInfo("CPU kernels: %s", cpu::isaName(cpu::isa()));
    }

    void pruning24RoundTripsAndKeepsTheLargest() {
        const auto dense = randomVector(6 * 16, 1);
        auto s = prune24(dense.data(), 6, 16);
        QVERIFY(s.ok());
        QVERIFY(validate(*s).ok());
        QCOMPARE(density(*s), 0.5);
        const auto back = densify(*s);
        for (std::size_t g = 0; g < back.size() / 4; ++g) {
            int kept = 0;
            float smallestKept = 1e30f, largestDropped = 0;
            for (int i = 0; i < 4; ++i) {
                const float v = back[g * 4 + i], d = dense[g * 4 + i];
                if (v != 0) {
                    ++kept;
                    QCOMPARE(v, d); // dense -> sparse -> dense equals the masked dense
                    smallestKept = std::min(smallestKept, std::fabs(d));
                } else {
                    largestDropped = std::max(largestDropped, std::fabs(d));
                }
            }
            QCOMPARE(kept, 2);
            QVERIFY(smallestKept >= largestDropped);
        }
        QVERIFY(!prune24(dense.data(), 6, 14).ok()); // k not a multiple of 4
        auto withNaN = dense;
        withNaN[2 * 16 + 5] = std::nanf(""); // ranking it by magnitude would depend on its place
        for (const std::string &why : {prune24(withNaN.data(), 6, 16).error().message,
                                       pruneSamoyeds(withNaN.data(), 6, 16, 1, 2, 16).error().message})
            QVERIFY2(why.find("row 2, column 5") != std::string::npos && why.find("NaN") != std::string::npos, why.c_str());
        Sparse24 bad = *s;
        bad.meta[0] = 0; // positions 0,0: not a 2:4 pattern
        QVERIFY(!validate(bad).ok());
        bad = *s;
        bad.values.pop_back();
        QVERIFY(!validate(bad).ok());
    }

    void samoyedsFormatRoundTrips() {
        const auto dense = randomVector(8 * 256, 2);
        auto s = pruneSamoyeds(dense.data(), 8, 256, 1, 2, 128);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QVERIFY(validate(*s).ok());
        QCOMPARE(density(*s), 0.25);
        const auto back = densify(*s);
        int nonzero = 0;
        for (std::size_t i = 0; i < back.size(); ++i)
            if (back[i] != 0) {
                ++nonzero;
                QCOMPARE(back[i], dense[i]);
            }
        QCOMPARE(nonzero, 8 * 256 / 4);
        QVERIFY(!pruneSamoyeds(dense.data(), 7, 256).ok());
        Samoyeds bad = *s;
        bad.indices[0] = 5; // outside its group of 2
        QVERIFY(!validate(bad).ok());
        // two kept rows of a group naming one row: the kernel would add both into it
        auto two = pruneSamoyeds(dense.data(), 8, 256, 2, 4, 128);
        QVERIFY(two.ok() && validate(*two).ok());
        Samoyeds twice = *two;
        twice.indices[1] = twice.indices[0];
        const seaside::Status dup = validate(twice);
        QVERIFY(!dup.ok());
        QVERIFY2(dup.message().find("ascend") != std::string::npos, dup.message().c_str());
        Samoyeds zero = *s;
        zero.m = 0; // no division by it
        QVERIFY(!validate(zero).ok());
        QVERIFY(!pruneSamoyeds(dense.data(), -2, 128).ok());
    }

    void ssmm24MatchesTheReference_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("gather");
        QTest::newRow("tiny") << 1 << 3 << 4 << false;
        QTest::newRow("odd") << 7 << 17 << 12 << false;
        QTest::newRow("k-not-tile") << 65 << 130 << 260 << false;
        QTest::newRow("gather") << 29 << 70 << 516 << true;
        QTest::newRow("empty") << 0 << 8 << 16 << true;
        QTest::newRow("rows-past-a-block") << 70 << 129 << 196 << false; // 2 row blocks, k-block tail of 4
        QTest::newRow("many-tiles") << 300 << 200 << 132 << true; // 5 token tiles: tasks of 64 rows, half blocks
        QTest::newRow("long-k") << 260 << 20 << 1300 << true; // X packed in slabs of 16 k-blocks, then 5, the last 20 wide (up to 2 threads: CI's)
    }

    void ssmm24MatchesTheReference() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(bool, gather);
        const std::int64_t xRows = m + 5;
        const auto x = randomVector(std::size_t(xRows * k), 3);
        const auto wd = randomVector(std::size_t(n * k), 4);
        const Sparse24 w = *prune24(wd.data(), n, k);
        std::vector<std::uint32_t> rows;
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 7 + 3) % xRows));
        std::vector<float> want(std::size_t(m * n)), got(std::size_t(m * n), -1.0f);
        ref::ssmm24(x.data(), w, gather ? rows.data() : nullptr, want.data(), m);
        cpu::ssmm24(x.data(), k, w, gather ? rows.data() : nullptr, got.data(), m, n);
        QVERIFY(ref::nmse(got.data(), want.data(), got.size()) < 1e-10);
        // the same on weights prepared for the CPU: a permutation, so the very same sums
        const cpu::Sparse24Cpu prepared = cpu::prepareForCpu(w);
        QCOMPARE(prepared.values.size(), w.values.size());
        std::vector<float> fromPrepared(got.size(), -1.0f);
        cpu::ssmm24(x.data(), k, prepared, gather ? rows.data() : nullptr, fromPrepared.data(), m, n);
        QCOMPARE(fromPrepared, got);
    }

    // Prepared weights skip a row over a k-block (64 columns) where its kept values are all zero,
    // as Samoyeds' dropped rows are once written as plain 2:4: the same sums as reading every row.
    // A token with an infinity there must still meet those zeros (0 x inf is NaN), as in the reference.
    // Both row blocks have rows of every kind; the last k-block is 4 columns wide.
    void ssmm24SkipsZeroRowsButNotOverInfinities() {
        const std::int64_t m = 70, n = 200, k = 260, xRows = m;
        auto x = randomVector(std::size_t(xRows * k), 7);
        const auto wd = randomVector(std::size_t(n * k), 8);
        Sparse24 w = *prune24(wd.data(), n, k);
        const auto zero = [&](std::int64_t row, std::int64_t kBlock) { // columns 64 kBlock .. 64 kBlock + 63
            const std::int64_t from = kBlock * 32, to = std::min<std::int64_t>(k / 2, from + 32);
            std::fill(w.values.begin() + row * (k / 2) + from, w.values.begin() + row * (k / 2) + to, 0.0f);
        };
        for (std::int64_t r = 0; r < n; ++r) {
            if (r % 3 == 0)
                zero(r, 1);
            for (std::int64_t b = 0; b < 5; ++b)
                if (r == 5 || r == 130 || (r >= 128 && (r + b) % 2 == 0)) // two rows zero everywhere
                    zero(r, b);
        }
        for (std::int64_t r = 0; r < 128; ++r) // every row of the first block over k-block 3
            zero(r, 3);
        const cpu::Sparse24Cpu prepared = cpu::prepareForCpu(w);
        std::int64_t live = 0; // (row, k-block) pairs with a nonzero weight: the lists name only those
        for (std::int64_t r = 0; r < n; ++r)
            for (std::int64_t b = 0; b < 5; ++b)
                live += r == 5 || r == 130 || (r >= 128 && (r + b) % 2 == 0) || (r % 3 == 0 && b == 1) ||
                                (r < 128 && b == 3)
                            ? 0
                            : 1;
        QCOMPARE(std::int64_t(prepared.live.size()), live);
        int nans = 0;
        const auto compare = [&](const char *what) {
            nans = 0;
            std::vector<float> want(std::size_t(m * n)), inPlace(want.size(), -1.0f), got(want.size(), -1.0f);
            ref::ssmm24(x.data(), w, nullptr, want.data(), m);
            cpu::ssmm24(x.data(), k, w, nullptr, inPlace.data(), m, n);
            cpu::ssmm24(x.data(), k, prepared, nullptr, got.data(), m, n);
            for (std::size_t i = 0; i < want.size(); ++i) {
                QVERIFY2(std::isnan(got[i]) == std::isnan(want[i]), qPrintable(QString("%1: element %2").arg(what).arg(i)));
                nans += std::isnan(want[i]) ? 1 : 0;
                if (!std::isnan(want[i]))
                    QVERIFY(got[i] == inPlace[i]); // skipping adds nothing but zeros: the same sums
            }
        };
        compare("finite tokens");
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(nans, 0);
        // token 3 infinite at column 70 (k-block 1, position 2 of group 17); token 66 (the second
        // tile) at column 200 (k-block 3), where the first block's rows are all zero
        x[std::size_t(3 * k + 70)] = INFINITY;
        x[std::size_t(66 * k + 200)] = -INFINITY;
        compare("infinite tokens");
        if (QTest::currentTestFailed())
            return;
        QVERIFY(nans > 0);
    }

    // Blocks of V columns that do not start on a metadata word (V = 20, 48) or end inside one make
    // the kernel read a row's fields from mid-word; V = 128 reads whole words. Each fused epilogue
    // on tiles whose token and row counts are not multiples of 8 (the transposes' tails).
    void ssmmSamoyedsMatchesTheReference_data() {
        QTest::addColumn<int>("v");
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("keep");  // Samoyeds' N: rows kept of each group
        QTest::addColumn<int>("group"); // M
        QTest::addColumn<int>("epilogue");
        using E = cpu::SsmmOutput::Epilogue;
        QTest::newRow("v20") << 20 << 9 << 1 << 2 << int(E::Store);
        QTest::newRow("v48") << 48 << 70 << 1 << 2 << int(E::Store);
        QTest::newRow("v128") << 128 << 33 << 1 << 2 << int(E::Store);
        // k-blocks at g0 = 17 and 34: a head to the next metadata word, a whole word, then a tail
        QTest::newRow("v68") << 68 << 70 << 1 << 2 << int(E::Store);
        QTest::newRow("groups wider than a task (N = 65 of M = 72)") << 64 << 17 << 65 << 72 << int(E::Store);
        QTest::newRow("silu-mul v48") << 48 << 70 << 1 << 2 << int(E::SiluMul);
        QTest::newRow("silu-mul N = 3 of M = 5") << 64 << 131 << 3 << 5 << int(E::SiluMul);
        QTest::newRow("gate scatter-add v20") << 20 << 9 << 1 << 2 << int(E::GateScatterAdd);
        QTest::newRow("gate scatter-add N = 3 of M = 5") << 64 << 131 << 3 << 5 << int(E::GateScatterAdd);
        // more token tiles than one task takes (5 tiles of 64): tasks split the tokens too
        QTest::newRow("301 tokens") << 64 << 301 << 1 << 2 << int(E::Store);
        QTest::newRow("silu-mul 301 tokens") << 48 << 301 << 3 << 5 << int(E::SiluMul);
        QTest::newRow("gate scatter-add 301 tokens") << 64 << 301 << 3 << 5 << int(E::GateScatterAdd);
    }

    void ssmmSamoyedsMatchesTheReference() {
        QFETCH(int, v);
        QFETCH(int, m);
        QFETCH(int, keep);
        QFETCH(int, group);
        QFETCH(int, epilogue);
        using E = cpu::SsmmOutput::Epilogue;
        const auto ep = E(epilogue);
        const std::int64_t rows = std::max<std::int64_t>(36, 2 * group) / group * group, k = 3 * v;
        const auto x = randomVector(std::size_t(m * k), 11);
        const auto wd = randomVector(std::size_t(rows * k), 12);
        const auto s = pruneSamoyeds(wd.data(), rows, k, keep, group, v);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        std::vector<float> product(std::size_t(m * rows));
        ref::gemm(x.data(), densify(*s).data(), product.data(), m, rows, k);
        // SiLU's gate and the scatter's gates, rows (token i to row 2i mod m + 1: distinct, as the
        // kernel requires, since every m with a scatter-add here is odd) and the rows' earlier contents
        const auto other = randomVector(product.size(), 13, 3.0f), gates = randomVector(std::size_t(m), 14);
        std::vector<std::uint32_t> scatter;
        for (int i = 0; i < m; ++i)
            scatter.push_back(std::uint32_t((2 * i) % m + 1));
        const auto before = randomVector(std::size_t((m + 1) * rows), 15);
        std::vector<float> want = product, got(product.size(), -1.0f);
        if (ep == E::SiluMul)
            for (std::size_t i = 0; i < want.size(); ++i)
                want[i] = float(other[i] / (1.0 + std::exp(-double(other[i]))) * product[i]);
        if (ep == E::GateScatterAdd) {
            want = before;
            got = before;
            for (int i = 0; i < m; ++i)
                for (std::int64_t j = 0; j < rows; ++j)
                    want[std::size_t(scatter[std::size_t(i)] * rows + j)] += gates[std::size_t(i)] * product[std::size_t(i * rows + j)];
        }
        cpu::SsmmOutput out;
        out.y = got.data();
        out.yStride = rows;
        out.epilogue = ep;
        out.other = other.data();
        out.otherStride = rows;
        out.gates = gates.data();
        out.scatter = scatter.data();
        cpu::ssmmSamoyeds(x.data(), k, *s, nullptr, m, out);
        QVERIFY(ref::nmse(got.data(), want.data(), got.size()) < 1e-10);
    }

    void moeLayers_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("experts");
        QTest::addColumn<int>("topK");
        QTest::newRow("balanced") << 48 << 4 << 2;
        QTest::newRow("one-token") << 1 << 8 << 2;    // most experts get no token
        QTest::newRow("all-experts") << 20 << 3 << 3; // every expert gets every token
    }

    void moeLayers() {
        QFETCH(int, tokens);
        QFETCH(int, experts);
        QFETCH(int, topK);
        const MoeShape s{tokens, 256, 256, experts, topK};
        const auto w = randomMoe(s, 5);
        QVERIFY(checkShape(s, w).ok());
        const auto x = randomVector(std::size_t(tokens * s.hidden), 6);
        std::vector<float> want(x.size()), dense(x.size()), sparse(x.size()), wantSparse(x.size());
        QVERIFY(ref::moe(x.data(), s, w, want.data()).ok());
        QVERIFY(cpu::moeDense(x.data(), s, w, dense.data()).ok());
        QVERIFY(ref::nmse(dense.data(), want.data(), want.size()) < 1e-9);
        const auto pruned = pruneMoe(s, w);
        QVERIFY(pruned.ok());
        const MoeSamoyedsWeights &sw = *pruned;
        QVERIFY(ref::moe(x.data(), s, densify(sw), wantSparse.data()).ok()); // the oracle on the weights Samoyeds keeps
        QVERIFY(cpu::moeSamoyeds(x.data(), s, sw, sparse.data()).ok());
        QVERIFY(ref::nmse(sparse.data(), wantSparse.data(), want.size()) < 1e-9);
        QCOMPARE(sw.w1Cpu.size(), std::size_t(experts)); // prepared for the CPU kernel once, by pruneMoe
        auto inPlace = sw; // the same layer reading the compact matrices in place
        inPlace.w1Cpu.clear();
        inPlace.w3Cpu.clear();
        inPlace.w2Cpu.clear();
        std::vector<float> sparseInPlace(x.size());
        QVERIFY(cpu::moeSamoyeds(x.data(), s, inPlace, sparseInPlace.data()).ok());
        QCOMPARE(sparseInPlace, sparse);
        const auto routed = route(x.data(), s, w.router);
        QVERIFY(routed.ok());
        const Routing &r = *routed;
        std::size_t assigned = 0;
        for (std::int64_t e = 0; e < experts; ++e) {
            assigned += r.tokens[std::size_t(e)].size();
            for (float g : r.gates[std::size_t(e)])
                QVERIFY(g > 0 && g <= 1);
        }
        QCOMPARE(assigned, std::size_t(tokens * topK));
        // Every token's experts and gates against the router worked by hand (logits in double,
        // the top k by logit, softmax over those k), since the layers and their oracle share route().
        std::vector<std::vector<double>> chosen(std::size_t(tokens), std::vector<double>(std::size_t(experts), 0.0));
        for (std::int64_t e = 0; e < experts; ++e)
            for (std::size_t i = 0; i < r.tokens[std::size_t(e)].size(); ++i)
                chosen[r.tokens[std::size_t(e)][i]][std::size_t(e)] = r.gates[std::size_t(e)][i];
        for (int t = 0; t < tokens; ++t) {
            std::vector<double> logit(static_cast<std::size_t>(experts));
            for (int e = 0; e < experts; ++e)
                for (int h = 0; h < s.hidden; ++h)
                    logit[std::size_t(e)] += double(x[std::size_t(t * s.hidden + h)]) * w.router[std::size_t(e * s.hidden + h)];
            std::vector<std::uint32_t> ids;
            std::vector<double> gates;
            seaside::testing::topKByHand(logit.data(), experts, topK, ids, gates);
            std::vector<double> want(static_cast<std::size_t>(experts), 0.0); // 0 for the experts not chosen
            for (std::size_t j = 0; j < ids.size(); ++j)
                want[ids[j]] = gates[j];
            for (int e = 0; e < experts; ++e)
                QVERIFY2(std::abs(chosen[std::size_t(t)][std::size_t(e)] - want[std::size_t(e)]) < 1e-5,
                         qPrintable(QString("token %1, expert %2: gate %3, by hand %4").arg(t).arg(e).arg(chosen[std::size_t(t)][std::size_t(e)]).arg(want[std::size_t(e)])));
        }
        MoeDenseWeights broken = w;
        broken.w2.pop_back();
        QVERIFY(!checkShape(s, broken).ok());
        QVERIFY(!cpu::moeDense(x.data(), s, broken, dense.data()).ok()); // refused, not read past w2
        MoeSamoyedsWeights missing = sw, narrow = sw, stale = sw, hollow = sw;
        missing.w2.pop_back();
        narrow.w1[0].k = 8;
        stale.w3Cpu[0].rows += 1; // a prepared form of other weights
        hollow.w2Cpu.back().values = {}; // the right shape named, no values behind it
        for (const auto *bad : {&missing, &narrow, &stale, &hollow}) {
            const seaside::Status st = cpu::moeSamoyeds(x.data(), s, *bad, sparse.data());
            QVERIFY(!st.ok());
            QVERIFY2(st.message().find("MoE") != std::string::npos, st.message().c_str());
        }
    }

    void gnnAggregationAndLayers() {
        // a small graph with an isolated node (5) and a self loop
        auto a = csrFromEdges(7, {{0, 1}, {1, 0}, {2, 1}, {3, 4}, {4, 3}, {6, 6}, {2, 0}, {1, 3}});
        QVERIFY(a.ok());
        QVERIFY(validate(*a).ok());
        const auto x = randomVector(7 * 8, 7);
        for (Aggregation how : {Aggregation::Sum, Aggregation::Mean, Aggregation::Max}) {
            std::vector<float> want(7 * 8), got(7 * 8, -1);
            ref::aggregate(*a, x.data(), 8, how, want.data());
            cpu::aggregate(*a, x.data(), 8, how, got.data());
            QVERIFY(ref::nmse(got.data(), want.data(), got.size()) < 1e-12);
            for (int f = 0; f < 8; ++f)
                QCOMPARE(got[5 * 8 + f], 0.0f); // the isolated node aggregates nothing
        }
        const auto normalized = gcnNormalized(*a);
        QVERIFY(normalized.ok());
        const Csr &ahat = *normalized;
        QVERIFY(validate(ahat).ok());
        const auto w = randomVector(4 * 8, 8);
        std::vector<float> want(7 * 4), unfused(7 * 4), fused(7 * 4);
        ref::gcn(ahat, x.data(), 8, w.data(), 4, want.data());
        cpu::gcnUnfused(ahat, x.data(), 8, w.data(), 4, unfused.data());
        QVERIFY(ref::nmse(unfused.data(), want.data(), want.size()) < 1e-10);
        for (std::int64_t target : {0, 1, 2, 3, 100}) { // many tiny parts (some may be empty), or one part
            auto parts = partitionGraph(ahat, target);
            QVERIFY(parts.ok());
            QCOMPARE(parts->order.size(), std::size_t(7));
            // parts of up to `target` rows (at least one): 7, 7, 4, 3 and 1 parts
            const std::int64_t perPart = std::max<std::int64_t>(1, target);
            QCOMPARE(std::int64_t(parts->partStart.size()) - 1, (7 + perPart - 1) / perPart);
            std::fill(fused.begin(), fused.end(), -1.0f);
            QVERIFY(cpu::gcnFused(ahat, *parts, x.data(), 8, w.data(), 4, fused.data()).ok());
            QVERIFY(ref::nmse(fused.data(), want.data(), want.size()) < 1e-10);
        }
        // renumbered part by part: the same layer, rows in the new order
        auto parts = partitionGraph(ahat, 3);
        const auto renumberedOk = renumber(ahat, *parts);
        QVERIFY(renumberedOk.ok());
        const Csr &renumbered = *renumberedOk;
        QVERIFY(validate(renumbered).ok());
        QCOMPARE(renumbered.nnz(), ahat.nnz());
        Partitioning contiguous = *parts;
        for (std::size_t i = 0; i < contiguous.order.size(); ++i)
            contiguous.order[i] = std::int32_t(i);
        const auto xr = permuteRows(x.data(), 8, parts->order);
        std::vector<float> yr(7 * 4);
        QVERIFY(cpu::gcnFused(renumbered, contiguous, xr.data(), 8, w.data(), 4, yr.data()).ok());
        const auto wantR = permuteRows(want.data(), 4, parts->order);
        QVERIFY(ref::nmse(yr.data(), wantR.data(), wantR.size()) < 1e-10);
        const auto ws = randomVector(4 * 8, 9), wn = randomVector(4 * 8, 10);
        std::vector<float> sageWant(7 * 4), sageGot(7 * 4);
        ref::sage(*a, x.data(), 8, ws.data(), wn.data(), 4, sageWant.data());
        cpu::sage(*a, x.data(), 8, ws.data(), wn.data(), 4, sageGot.data());
        QVERIFY(ref::nmse(sageGot.data(), sageWant.data(), sageWant.size()) < 1e-10);
    }

    void outOfRangeNodeIdsAreErrors() {
        auto bad = csrFromEdges(3, {{0, 1}, {1, 7}});
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("edge 1") != std::string::npos);
        Csr c = *csrFromEdges(3, {{0, 1}});
        c.colIdx[0] = 9;
        QVERIFY(!validate(c).ok());
        c = *csrFromEdges(3, {{0, 1}});
        c.rowPtr[1] = 5;
        QVERIFY(!validate(c).ok());
        Csr negative; // rows = -1 and an empty row-pointer list: an error, not a read of front()
        negative.rows = -1;
        QVERIFY(!validate(negative).ok());
    }

    // The graph helpers refuse what would make them read or write past their arrays, or leave
    // rows of the output unwritten.
    void graphHelpersRefuseBadShapes() {
        Csr wide = *csrFromEdges(3, {{0, 1}, {1, 2}});
        wide.cols = 5; // 3 x 5: valid CSR, not a graph's adjacency
        QVERIFY(validate(wide).ok());
        for (const std::string &message :
             {gcnNormalized(wide).ok() ? std::string() : gcnNormalized(wide).error().message,
              partitionGraph(wide, 2).ok() ? std::string() : partitionGraph(wide, 2).error().message})
            QVERIFY2(message.find("square") != std::string::npos, message.c_str());
        const Csr ahat = *gcnNormalized(*csrFromEdges(4, {{0, 1}, {1, 2}, {2, 3}}));
        const auto x = randomVector(4 * 3, 1), w = randomVector(2 * 3, 2);
        std::vector<float> y(4 * 2);
        QVERIFY(!cpu::gcnFused(ahat, Partitioning{}, x.data(), 3, w.data(), 2, y.data()).ok());
        Partitioning repeats{{0, 1, 1, 3}, {0, 2, 4}}; // node 1 twice, node 2 never
        const seaside::Status st = cpu::gcnFused(ahat, repeats, x.data(), 3, w.data(), 2, y.data());
        QVERIFY(!st.ok());
        QVERIFY2(st.message().find("repeats") != std::string::npos, st.message().c_str());
        QVERIFY(!renumber(ahat, repeats).ok());
        Partitioning good{{3, 1, 2, 0}, {0, 2, 4}};
        QVERIFY(validate(good, 4).ok());
        QVERIFY(renumber(ahat, good).ok());
        QVERIFY(cpu::gcnFused(ahat, good, x.data(), 3, w.data(), 2, y.data()).ok());
    }

    // gcnFused writes a part of consecutive ascending nodes in place and any other part through a
    // buffer: {3, 1} and {2, 0} take the buffer; {1, 2} is in place and {3, 0} buffered; {0..3} in place.
    void gcnFusedPartsInPlaceOrBuffered() {
        const Csr ahat = *gcnNormalized(*csrFromEdges(4, {{0, 1}, {1, 2}, {2, 3}}));
        const auto x = randomVector(4 * 3, 1), w = randomVector(2 * 3, 2);
        std::vector<float> want(4 * 2), y(4 * 2);
        ref::gcn(ahat, x.data(), 3, w.data(), 2, want.data());
        for (const Partitioning &p : {Partitioning{{3, 1, 2, 0}, {0, 2, 4}}, Partitioning{{1, 2, 3, 0}, {0, 2, 4}},
                                      Partitioning{{0, 1, 2, 3}, {0, 4}}}) {
            std::fill(y.begin(), y.end(), -1.0f);
            QVERIFY(cpu::gcnFused(ahat, p, x.data(), 3, w.data(), 2, y.data()).ok());
            QVERIFY(ref::nmse(y.data(), want.data(), want.size()) < 1e-10);
        }
    }

    // OpenBLAS and Seaside's kernels run on one OpenMP pool: a second pool (OpenBLAS's pthread
    // build) would take turns with it on the cores, its idle threads spinning after each call.
    // After a threaded GEMM and a threaded 2:4 product, this process holds exactly the pool.
    void blasAndKernelsShareOneThreadPool() {
        if (omp_get_max_threads() < 2)
            QSKIP("one core here, so no second thread for the two libraries to share: runs on any machine with 2+ cores, as in CI");
        const std::int64_t m = 256, n = 256, k = 512; // big enough for OpenBLAS to use every core
        const auto x = randomVector(std::size_t(m * k), 1), w = randomVector(std::size_t(n * k), 2);
        std::vector<float> y(std::size_t(m * n));
        cpu::gemm(x.data(), w.data(), y.data(), m, n, k);
        cpu::ssmm24(x.data(), k, cpu::prepareForCpu(*prune24(w.data(), n, k)), nullptr, y.data(), m, n);
        cpu::gemm(x.data(), w.data(), y.data(), m, n, k);
        QCOMPARE(unnamedThreadCount(), omp_get_max_threads());
        QVERIFY2(cpu::blasCore().find("OpenMP") != std::string::npos, cpu::blasCore().c_str());
    }
};

QTEST_APPLESS_MAIN(TestKernels)
#include "tst_kernels.moc"
