#include "plan/design_check.h"

#include "graph/shape_inference.h"

#include <set>

namespace seaside::plan {

namespace {

// Seaside's shape rules, run on a copy (what the graph declares is left as it is, as the ONNX
// importer leaves it): a file whose attributes or shapes the rules refuse (a conv with a negative
// kernel, a matmul whose inner dimensions differ) would estimate nonsense and refuse every edit.
// Each block body is checked once, however often it repeats.
Status checkShapeRules(const graph::Graph &g, const std::string &where, std::set<const graph::Graph *> &seen) {
    graph::Graph trial = g;
    if (Status s = graph::inferShapes(trial); !s)
        return makeError(where + s.message());
    for (const graph::Node &n : g.nodes())
        if (n.body && seen.insert(n.body.get()).second)
            if (Status s = checkShapeRules(*n.body, where + "in block '" + n.name + "': ", seen); !s)
                return s;
    return {};
}

} // namespace

Status checkNodeId(std::int64_t id, const std::string &node) {
    if (id >= 1 && id <= std::int64_t(graph::kMaxNodeId))
        return {};
    return makeError(node + " has id " + std::to_string(id) + "; node ids run from 1 to " + std::to_string(graph::kMaxNodeId));
}

Status checkDesign(const Design &d) {
    for (const graph::Node &n : d.graph.nodes())
        if (Status s = checkNodeId(n.id, "node '" + n.name + "'"); !s)
            return s;
    if (Status s = d.platform.validate(); !s)
        return makeError("platform: " + s.message());
    if (auto order = d.graph.topologicalOrder(); !order)
        return order.error();
    std::set<const graph::Graph *> bodies;
    if (Status s = checkShapeRules(d.graph, "", bodies); !s)
        return makeError("the shapes do not follow Seaside's rules: " + s.message());
    for (const auto &[id, cfg] : d.placement) {
        const graph::Node *n = d.graph.node(id);
        if (!n)
            return makeError("the placement names node " + std::to_string(id) + ", which is not in the graph");
        if (!cfg.device.empty() && !d.platform.device(cfg.device))
            return makeError("layer '" + n->name + "' is placed on device '" + cfg.device + "', which is not on the platform");
        if (!cfg.dtype.empty() && !graph::dtypeFromName(cfg.dtype))
            return makeError("layer '" + n->name + "' runs at an unknown precision '" + cfg.dtype + "'");
    }
    for (const auto &[id, pos] : d.layout)
        if (!d.graph.node(id))
            return makeError("the layout places node " + std::to_string(id) + ", which is not in the graph");
    return {};
}

} // namespace seaside::plan
