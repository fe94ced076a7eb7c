#include "plan/split_sweep.h"

#include "plan/evaluator.h"

namespace seaside::plan {

std::vector<SplitPoint> splitSweep(const Design &d, const std::string &edge, const std::string &cloud,
                                   const std::vector<double> &freqsHz) {
    std::vector<SplitPoint> points;
    auto order = d.graph.topologicalOrder();
    if (!order)
        return points;
    std::vector<graph::NodeId> layers;
    for (auto id : *order) {
        const auto k = d.graph.node(id)->kind;
        if (k != graph::OpKind::Input && k != graph::OpKind::Output && k != graph::OpKind::Constant)
            layers.push_back(id);
    }
    // Each side keeps the precision the design uses on that device.
    std::string edgeDtype, cloudDtype;
    for (const auto &[id, cfg] : d.placement) {
        if (cfg.device == edge && edgeDtype.empty())
            edgeDtype = cfg.dtype;
        if (cfg.device == cloud && cloudDtype.empty())
            cloudDtype = cfg.dtype;
    }
    Design work = d;
    Evaluator eval;
    const std::vector<double> freqs = freqsHz.empty() ? std::vector<double>{0} : freqsHz;
    for (double f : freqs) {
        for (std::size_t split = 0; split <= layers.size(); ++split) {
            for (std::size_t i = 0; i < layers.size(); ++i) {
                LayerConfig &cfg = work.placement[layers[i]];
                const bool onEdge = i < split;
                cfg.device = onEdge ? edge : cloud;
                cfg.dtype = onEdge ? edgeDtype : cloudDtype;
                cfg.options = {};
                if (onEdge && f > 0)
                    cfg.options.set("freq_hz", f);
            }
            const PlanEstimate &r = eval.evaluate(work);
            SplitPoint p;
            p.split = int(split);
            p.lastEdgeLayer = split ? work.graph.node(layers[split - 1])->name : std::string();
            p.freqHz = f;
            p.latency = r.latency;
            p.energy = r.energy;
            p.feasible = r.failures.empty();
            points.push_back(p);
            if (split == 0 && f != freqs.front())
                points.pop_back(); // cloud only does not depend on the edge's frequency: listed once
        }
    }
    return points;
}

} // namespace seaside::plan
