#include "plan/design_summary.h"

#include "graph/node_metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seaside::plan {

using nlohmann::json;
using namespace seaside::graph;

std::string humanCount(double v) {
    static const char *kUnits[] = {"", " k", " M", " G", " T", " P"};
    int u = 0;
    while (std::fabs(v) >= 1000 && u < 5) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u ? "%.2f%s" : "%.0f%s", v, kUnits[u]);
    return buf;
}

namespace {
// Layers when every block is expanded, counting a block's body `repeat` times.
double expandedLayers(const Graph &g) {
    double n = 0;
    for (const Node &node : g.nodes())
        n += node.body ? double(node.repeat) * expandedLayers(*node.body) : 1.0;
    return n;
}
} // namespace

json designSummary(const Design &d) {
    const NodeMetrics m = graphMetrics(d.graph);
    json kinds = json::object();
    std::size_t blocks = 0;
    for (const Node &n : d.graph.nodes()) {
        kinds[std::string(opKindName(n.kind))] = kinds.value(std::string(opKindName(n.kind)), 0) + 1;
        blocks += n.kind == OpKind::Block;
    }
    json devices = json::array();
    for (const auto &dev : d.platform.devices) {
        std::size_t placed = 0;
        for (const auto &[id, cfg] : d.placement)
            placed += cfg.device == dev.id;
        devices.push_back({{"id", dev.id}, {"name", dev.spec.name}, {"kind", std::string(hw::deviceKindName(dev.spec.kind))},
                           {"layers", placed}});
    }
    json j{{"name", d.name},
           {"nodes", d.graph.size()},
           {"edges", d.graph.edges().size()},
           {"blocks", blocks},
           {"layers_expanded", expandedLayers(d.graph)},
           {"params", m.params},
           {"macs", m.macs},
           {"flops", m.flops},
           {"weight_bytes", m.weightBytes},
           {"op_kinds", kinds},
           {"devices", devices},
           {"links", d.platform.links.size()}};
    if (d.metadata.count("onnx.ir_version"))
        j["onnx"] = {{"ir_version", std::strtoll(d.metadata.at("onnx.ir_version").c_str(), nullptr, 10)}, // 0 if malformed
                     {"opsets", d.metadata.count("onnx.opsets") ? d.metadata.at("onnx.opsets") : ""}};
    return j;
}

std::string designSummaryText(const Design &d) {
    const json j = designSummary(d);
    std::ostringstream out;
    out << "design   " << (d.name.empty() ? "(unnamed)" : d.name) << '\n';
    out << "nodes    " << j["nodes"].get<std::size_t>() << " (" << j["blocks"].get<std::size_t>() << " blocks, "
        << humanCount(j["layers_expanded"].get<double>()) << " layers expanded), " << j["edges"].get<std::size_t>()
        << " edges\n";
    out << "params   " << humanCount(j["params"].get<double>()) << '\n';
    out << "MACs     " << humanCount(j["macs"].get<double>()) << '\n';
    out << "op kinds ";
    bool first = true;
    for (auto it = j["op_kinds"].begin(); it != j["op_kinds"].end(); ++it) {
        out << (first ? "" : ", ") << it.key() << " " << it->get<int>();
        first = false;
    }
    out << '\n';
    out << "devices  " << d.platform.devices.size() << ", links " << d.platform.links.size() << '\n';
    for (const auto &dev : j["devices"])
        out << "  " << dev["id"].get<std::string>() << "  " << dev["name"].get<std::string>() << " ("
            << dev["kind"].get<std::string>() << "), " << dev["layers"].get<std::size_t>() << " layers placed\n";
    if (j.contains("onnx"))
        out << "onnx     IR version " << j["onnx"]["ir_version"].get<long long>() << ", opsets "
            << j["onnx"]["opsets"].get<std::string>() << '\n';
    return out.str();
}

} // namespace seaside::plan
