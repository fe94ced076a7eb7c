#include "plan/onthefly_compare.h"

#include "cost/layer_context.h"
#include "plan/evaluator.h"

namespace seaside::plan {

namespace {
void compareConv(const graph::Graph &g, const graph::Node &n, const std::string &prefix, LayerConfig cfg,
                 const hw::DeviceSpec &dev, double rho, std::vector<OnTheFlyRow> &rows) {
    if (n.kind == graph::OpKind::Block && n.body) {
        for (const auto &b : n.body->nodes()) {
            LayerConfig inner = cfg;
            inner.options = cost::composeOptions(cfg.options, b.name);
            compareConv(*n.body, b, prefix + n.name + "/", inner, dev, rho, rows);
        }
        return;
    }
    if (n.kind != graph::OpKind::Conv)
        return;
    cfg.options.set("weights_on_the_fly", std::int64_t(0));
    auto off = estimateLayer(g, n, cfg, dev, nullptr);
    cfg.options.set("weights_on_the_fly", std::int64_t(1));
    if (!cfg.options.has("compression_ratio"))
        cfg.options.set("compression_ratio", rho);
    auto on = estimateLayer(g, n, cfg, dev, nullptr);
    if (!off || !on)
        return;
    rows.push_back({prefix + n.name, off->intensity, on->intensity, off->memoryBound, on->memoryBound, off->latency,
                    on->latency});
}
} // namespace

std::vector<OnTheFlyRow> onTheFlyComparison(const Design &d, double rho) {
    std::vector<OnTheFlyRow> rows;
    auto order = d.graph.topologicalOrder();
    if (!order)
        return rows;
    for (auto id : *order) {
        auto cfg = d.placement.find(id);
        if (cfg == d.placement.end())
            continue;
        const hw::DeviceInstance *dev = d.platform.device(cfg->second.device);
        if (!dev || dev->spec.kind != hw::DeviceKind::Fpga)
            continue;
        compareConv(d.graph, *d.graph.node(id), "", cfg->second, dev->spec, rho, rows);
    }
    return rows;
}

} // namespace seaside::plan
