// A 10,000-node design through import (JSON), save and open. Target: save and open <= 100 ms each.
#include "store/design_json.h"
#include "store/project_store.h"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace seaside;
using nlohmann::json;

namespace {
// A residual stack of linear layers, like a wide MLP exported node by node: 10,000 nodes.
json largeDesignJson(int layers) {
    json nodes = json::array(), edges = json::array();
    nodes.push_back({{"id", 1}, {"name", "x"}, {"kind", "input"}, {"outputs", {{{"shape", {16, 512}}, {"dtype", "fp16"}}}}});
    int prev = 1;
    int id = 2;
    for (int i = 0; i < layers; ++i) {
        const int fc = id++, act = id++;
        nodes.push_back({{"id", fc}, {"name", "fc" + std::to_string(i)}, {"kind", "linear"}, {"attrs", {{"out_features", 512}}}});
        nodes.push_back({{"id", act}, {"name", "act" + std::to_string(i)}, {"kind", "activation"}, {"attrs", {{"function", "gelu"}}}});
        edges.push_back({prev, 0, fc, 0});
        edges.push_back({fc, 0, act, 0});
        prev = act;
    }
    nodes.push_back({{"id", id}, {"name", "y"}, {"kind", "output"}});
    edges.push_back({prev, 0, id, 0});
    json placement = json::array({{{"match", "fc*"}, {"device", "gpu0"}, {"dtype", "fp16"}},
                                  {{"match", "act*"}, {"device", "gpu1"}}});
    return {{"format", "seaside-design"}, {"version", 1}, {"name", "large"},
            {"graph", {{"nodes", nodes}, {"edges", edges}}},
            {"platform", {{"devices", {{{"id", "gpu0"}, {"catalogue", "nvidia-h100-sxm"}}, {{"id", "gpu1"}, {"catalogue", "nvidia-h100-sxm"}}}},
                          {"links", {{{"id", "nv"}, {"a", "gpu0"}, {"b", "gpu1"}, {"catalogue", "nvlink4-h100"}}}}}},
            {"placement", placement}};
}

const json &design10k() {
    static const json j = largeDesignJson(4999); // 2 * 4999 + 2 = 10,000 nodes
    return j;
}

std::string tempPath() { return "/tmp/seaside_bench_" + std::to_string(getpid()) + ".seaside"; }

void BM_Import10k(benchmark::State &state) {
    for (auto _ : state) {
        auto d = store::designFromJson(design10k());
        if (!d.ok())
            state.SkipWithError(d.error().message.c_str());
        benchmark::DoNotOptimize(d);
    }
    state.counters["nodes"] = 10000;
}

void BM_Save10k(benchmark::State &state) {
    auto d = store::designFromJson(design10k());
    const std::string path = tempPath();
    for (auto _ : state)
        if (!store::saveProject(*d, path).ok())
            state.SkipWithError("save failed");
    std::remove(path.c_str());
}

void BM_Open10k(benchmark::State &state) {
    auto d = store::designFromJson(design10k());
    const std::string path = tempPath();
    store::saveProject(*d, path);
    for (auto _ : state) {
        auto back = store::openProject(path);
        if (!back.ok())
            state.SkipWithError(back.error().message.c_str());
        benchmark::DoNotOptimize(back);
    }
    std::remove(path.c_str());
}
} // namespace

BENCHMARK(BM_Import10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Save10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Open10k)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
