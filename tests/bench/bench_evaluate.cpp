// Whole-plan evaluation of a 10,000-layer design on a 16-device platform, and the incremental
// path after a one-layer change. Targets: <= 5 ms full, <= 0.5 ms incremental.
#include "../common/large_design.h"
#include "hw/catalogue.h"
#include "plan/evaluator.h"

#include <benchmark/benchmark.h>

using namespace seaside;
using namespace seaside::graph;

namespace {
plan::Design largeDesign() {
    plan::Design d = seaside::testing::residualMlp();
    const auto &cat = hw::defaultCatalogue();
    const char *kinds[] = {"nvidia-h100-sxm", "nvidia-a100-sxm4-80gb", "nvidia-l4", "amd-alveo-u280"};
    for (int i = 0; i < 16; ++i)
        d.platform.devices.push_back({"dev" + std::to_string(i), *cat.device(kinds[i % 4]), {}});
    for (int i = 0; i < 16; ++i) // a ring of PCIe plus a 100 GbE chord
        d.platform.links.push_back({"ring" + std::to_string(i), "dev" + std::to_string(i), "dev" + std::to_string((i + 1) % 16),
                                    *cat.link("pcie5-x16")});
    for (int i = 0; i < 8; ++i)
        d.platform.links.push_back({"chord" + std::to_string(i), "dev" + std::to_string(i), "dev" + std::to_string(i + 8),
                                    *cat.link("eth-100g")});
    int n = 0;
    for (const auto &node : d.graph.nodes())
        if (node.kind != OpKind::Input)
            d.placement[node.id] = {"dev" + std::to_string((n++ / 625) % 16), "fp16", {}};
    return d;
}

const plan::Design &design() {
    static const plan::Design d = largeDesign();
    return d;
}

void BM_EvaluateFull10k(benchmark::State &state) {
    plan::Evaluator eval;
    for (auto _ : state)
        benchmark::DoNotOptimize(eval.evaluate(design()).latency);
    state.counters["layers"] = double(design().graph.size());
    state.counters["devices"] = 16;
}

void BM_EvaluateIncremental10k(benchmark::State &state) {
    plan::Design d = design();
    plan::Evaluator eval;
    eval.evaluate(d);
    const NodeId target = d.graph.findByName("up1234")->id;
    int flip = 0;
    for (auto _ : state) {
        d.placement[target].device = "dev" + std::to_string(flip++ % 16); // one layer moves
        benchmark::DoNotOptimize(eval.update(d, {target}).latency);
    }
}
} // namespace

BENCHMARK(BM_EvaluateFull10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateIncremental10k)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
