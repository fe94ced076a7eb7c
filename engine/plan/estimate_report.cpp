#include "plan/estimate_report.h"

#include "plan/design_summary.h"
#include "plan/max_batch.h"
#include "plan/onthefly_compare.h"
#include "plan/split_sweep.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seaside::plan {

using nlohmann::json;

namespace {

std::optional<double> number(const std::string &s);

std::vector<std::string> splitList(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

json analyses(const Design &d) {
    json a = json::object();
    if (auto it = d.metadata.find("analysis.max_batch"); it != d.metadata.end()) {
        json rows = json::array();
        for (const auto &dev : d.platform.devices) {
            if (dev.spec.kind != hw::DeviceKind::Gpu)
                continue;
            json row{{"device", dev.id}};
            for (const auto &fmt : splitList(it->second)) {
                const BatchCapacity c = maxBatch(d, dev.id, fmt);
                row[fmt] = {{"max_batch", c.maxBatch}, {"weight_bytes", c.weightBytes}, {"per_sample_bytes", c.perSampleBytes}};
            }
            rows.push_back(row);
        }
        a["max_batch"] = rows;
    }
    if (auto it = d.metadata.find("analysis.split_sweep"); it != d.metadata.end()) {
        const auto parts = splitList(it->second);
        if (parts.size() >= 2) {
            std::vector<double> freqs;
            for (std::size_t i = 2; i < parts.size(); ++i)
                if (auto f = number(parts[i]))
                    freqs.push_back(*f);
                else
                    a["errors"].push_back("analysis.split_sweep: '" + parts[i] + "' is not a frequency in Hz");
            json rows = json::array();
            for (const SplitPoint &p : splitSweep(d, parts[0], parts[1], freqs))
                rows.push_back({{"split", p.split}, {"after", p.lastEdgeLayer}, {"freq_hz", p.freqHz},
                                {"latency_s", p.latency}, {"energy_j", p.energy}, {"feasible", p.feasible}});
            a["split_sweep"] = {{"edge", parts[0]}, {"cloud", parts[1]}, {"points", rows}};
        }
    }
    if (auto it = d.metadata.find("analysis.on_the_fly"); it != d.metadata.end()) {
        json rows = json::array();
        const auto rho = number(it->second);
        if (!rho || *rho <= 0)
            a["errors"].push_back("analysis.on_the_fly: '" + it->second + "' is not a compression ratio");
        for (const auto &r : onTheFlyComparison(d, rho && *rho > 0 ? *rho : 0.25))
            rows.push_back({{"layer", r.layer}, {"intensity_off", r.intensityOff}, {"intensity_on", r.intensityOn},
                            {"memory_bound_off", r.memoryBoundOff}, {"memory_bound_on", r.memoryBoundOn},
                            {"latency_off_s", r.latencyOff}, {"latency_on_s", r.latencyOn}});
        a["on_the_fly"] = rows;
    }
    return a;
}

// A number from a design's metadata; a malformed one is reported in the analysis, not thrown.
std::optional<double> number(const std::string &s) {
    char *end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0')
        return std::nullopt;
    return v;
}

std::string fmt(const char *f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string seconds(double s) {
    if (s >= 1)
        return fmt("%.3f s", s);
    if (s >= 1e-3)
        return fmt("%.3f ms", s * 1e3);
    return fmt("%.1f us", s * 1e6);
}

} // namespace

json estimateReport(const Design &d, const PlanEstimate &e) {
    json layers = json::array();
    for (const LayerEstimate &l : e.layers) {
        const graph::Node *n = d.graph.node(l.node);
        if (!n || n->kind == graph::OpKind::Input || n->kind == graph::OpKind::Output)
            continue;
        layers.push_back({{"name", n->name},
                          {"device", l.device >= 0 ? d.platform.devices[std::size_t(l.device)].id : ""},
                          {"latency_s", l.cost.latency},
                          {"energy_j", l.cost.energy},
                          {"start_s", l.start},
                          {"memory_bound", l.cost.memoryBound},
                          {"intensity", l.cost.intensity},
                          {"weight_bytes", l.cost.weightBytes},
                          {"source", l.cost.source}});
    }
    json devices = json::array();
    for (const DeviceEstimate &dv : e.devices)
        devices.push_back({{"id", dv.id},
                           {"layers", dv.layers},
                           {"busy_s", dv.busy},
                           {"utilisation", e.latency > 0 ? dv.busy / e.latency : 0.0},
                           {"energy_j", dv.dynamicEnergy + dv.idleEnergy},
                           {"idle_energy_j", dv.idleEnergy},
                           {"peak_memory_bytes", dv.peakMemory},
                           {"capacity_bytes", dv.capacity},
                           {"resources", {{"lut", dv.resources.lut}, {"ff", dv.resources.ff}, {"dsp", dv.resources.dsp},
                                          {"bram", dv.resources.bram}, {"uram", dv.resources.uram}}}});
    json links = json::array();
    for (const LinkEstimate &l : e.links)
        links.push_back({{"id", l.id}, {"busy_s", l.busy}, {"bytes", l.bytes}, {"energy_j", l.energy}});
    json failures = json::array();
    for (const Failure &f : e.failures) {
        const graph::Node *n = f.node ? d.graph.node(f.node) : nullptr;
        failures.push_back({{"kind", failureKindName(f.kind)}, {"layer", n ? n->name : ""}, {"device", f.device},
                            {"message", f.message}});
    }
    return {{"latency_s", e.latency}, {"throughput_per_s", e.throughput}, {"energy_j", e.energy},
            {"bottleneck", e.bottleneck}, {"layers", layers}, {"devices", devices}, {"links", links},
            {"failures", failures}, {"analyses", analyses(d)}};
}

std::string estimateReportText(const Design &d, const PlanEstimate &e) {
    const json r = estimateReport(d, e);
    std::ostringstream out;
    out << "design      " << d.name << '\n';
    out << "latency     " << seconds(e.latency) << " per inference\n";
    out << "throughput  " << fmt("%.2f", e.throughput) << " inferences/s (bottleneck: " << e.bottleneck << ")\n";
    out << "energy      " << fmt("%.4g", e.energy) << " J per inference\n\n";
    out << "device          layers   busy         util   energy (J)   memory / capacity\n";
    for (const auto &dv : r["devices"]) {
        char line[256];
        std::snprintf(line, sizeof line, "%-15s %6d   %-11s %5.1f%%   %10.4g   %sB / %sB\n", dv["id"].get<std::string>().c_str(),
                      dv["layers"].get<int>(), seconds(dv["busy_s"].get<double>()).c_str(), 100 * dv["utilisation"].get<double>(),
                      dv["energy_j"].get<double>(), humanCount(dv["peak_memory_bytes"].get<double>()).c_str(),
                      humanCount(dv["capacity_bytes"].get<double>()).c_str());
        out << line;
    }
    std::vector<json> layers(r["layers"].begin(), r["layers"].end());
    std::stable_sort(layers.begin(), layers.end(),
                     [](const json &a, const json &b) { return a["latency_s"].get<double>() > b["latency_s"].get<double>(); });
    out << "\nlayers by latency (largest first)\n";
    for (std::size_t i = 0; i < layers.size() && i < 15; ++i) {
        char line[256];
        std::snprintf(line, sizeof line, "  %-28s %-10s %-11s %10.4g J  %s\n", layers[i]["name"].get<std::string>().c_str(),
                      layers[i]["device"].get<std::string>().c_str(), seconds(layers[i]["latency_s"].get<double>()).c_str(),
                      layers[i]["energy_j"].get<double>(), layers[i]["memory_bound"].get<bool>() ? "memory-bound" : "compute-bound");
        out << line;
    }
    if (layers.size() > 15)
        out << "  ... " << layers.size() - 15 << " more (--json lists all)\n";
    if (!e.failures.empty()) {
        out << "\nprecheck failures\n";
        for (const Failure &f : e.failures)
            out << "  [" << failureKindName(f.kind) << "] " << f.message << '\n';
    }
    const json &a = r["analyses"];
    if (a.contains("max_batch")) {
        out << "\nlargest batch that fits (weights + activations + KV cache)\n";
        for (const auto &row : a["max_batch"])
            for (auto it = row.begin(); it != row.end(); ++it)
                if (it.key() != "device")
                    out << "  " << row["device"].get<std::string>() << "  " << it.key() << ": " << (*it)["max_batch"].get<long long>()
                        << " (weights " << humanCount((*it)["weight_bytes"].get<double>()) << "B)\n";
    }
    if (a.contains("split_sweep")) {
        // The sweep is long (split points x frequencies): the text shows cloud only, and per CPU
        // frequency the split with the least energy and the edge-only run; --json lists every point.
        const auto &pts = a["split_sweep"]["points"];
        const json *cloudOnly = nullptr;
        std::map<double, std::vector<const json *>> byFreq;
        for (const auto &p : pts) {
            if (p["split"].get<int>() == 0)
                cloudOnly = &p;
            else
                byFreq[p["freq_hz"].get<double>()].push_back(&p);
        }
        const double cloudEnergy = cloudOnly ? (*cloudOnly)["energy_j"].get<double>() : 0;
        out << "\nsplit points (" << a["split_sweep"]["edge"].get<std::string>() << " runs the layers up to the split, "
            << a["split_sweep"]["cloud"].get<std::string>() << " the rest; " << pts.size() << " points in --json)\n"
            << "  split after           CPU MHz   latency       energy (J)  vs cloud only\n";
        auto row = [&](const json &p, const char *label) {
            char line[256];
            const std::string after = p["split"].get<int>() == 0 ? "(cloud only)" : p["after"].get<std::string>() + label;
            const std::string mhz = p["split"].get<int>() == 0 ? "-" : fmt("%.0f", p["freq_hz"].get<double>() / 1e6);
            std::snprintf(line, sizeof line, "  %-20s %8s   %-12s %10.4g   %+6.1f%%%s\n", after.c_str(), mhz.c_str(),
                          seconds(p["latency_s"].get<double>()).c_str(), p["energy_j"].get<double>(),
                          cloudEnergy > 0 ? 100 * (p["energy_j"].get<double>() / cloudEnergy - 1) : 0.0,
                          p["feasible"].get<bool>() ? "" : "  (precheck fails)");
            out << line;
        };
        if (cloudOnly)
            row(*cloudOnly, "");
        for (const auto &[f, list] : byFreq) {
            const json *best = *std::min_element(list.begin(), list.end(), [](const json *x, const json *y) {
                return (*x)["energy_j"].get<double>() < (*y)["energy_j"].get<double>();
            });
            row(*best, " (least energy)");
            if (best != list.back())
                row(*list.back(), " (edge only)");
        }
    }
    if (a.contains("on_the_fly")) {
        out << "\nconvolutions with weights from DRAM vs generated on chip (ops/byte, bound)\n";
        for (const auto &row : a["on_the_fly"]) {
            char line[256];
            const bool leaves = row["memory_bound_off"].get<bool>() && !row["memory_bound_on"].get<bool>();
            std::snprintf(line, sizeof line, "  %-34s %8.1f %-7s -> %8.1f %-7s%s\n", row["layer"].get<std::string>().c_str(),
                          row["intensity_off"].get<double>(), row["memory_bound_off"].get<bool>() ? "memory" : "compute",
                          row["intensity_on"].get<double>(), row["memory_bound_on"].get<bool>() ? "memory" : "compute",
                          leaves ? "   leaves the memory-bound region" : "");
            out << line;
        }
    }
    if (a.contains("errors"))
        for (const auto &e : a["errors"])
            out << "\nanalysis skipped: " << e.get<std::string>() << '\n';
    return out.str();
}

} // namespace seaside::plan
