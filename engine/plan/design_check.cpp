#include "plan/design_check.h"

#include "graph/shape_inference.h"

#include <unordered_set>

namespace seaside::plan {

Status checkNodeId(std::int64_t id, const std::string &node) {
    if (id >= 1 && id <= std::int64_t(graph::kMaxNodeId))
        return {};
    return makeError(node + " has id " + std::to_string(id) + "; node ids run from 1 to " + std::to_string(graph::kMaxNodeId));
}

namespace {
// Node ids and cycles in a graph and, by name, in every block body inside it. A body is shared by
// the blocks that repeat it, so each is walked once.
Status checkGraphStructure(const graph::Graph &g, std::unordered_set<const graph::Graph *> &seen) {
    for (const graph::Node &n : g.nodes())
        if (Status s = checkNodeId(n.id, "node '" + n.name + "'"); !s)
            return s;
    if (auto order = g.topologicalOrder(); !order)
        return order.error();
    for (const graph::Node &n : g.nodes())
        if (n.body && seen.insert(n.body.get()).second)
            if (Status s = checkGraphStructure(*n.body, seen); !s)
                return makeError("in block '" + n.name + "': " + s.message());
    return {};
}

// Everything but the shape rules.
Status checkStructure(const Design &d) {
    std::unordered_set<const graph::Graph *> seen;
    if (Status s = checkGraphStructure(d.graph, seen); !s)
        return s;
    if (Status s = d.platform.validate(); !s)
        return makeError("platform: " + s.message());
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

Error rulesRefuse(const Status &s) { return makeError("the shapes do not follow Seaside's rules: " + s.message()); }
} // namespace

Status checkDesign(const Design &d) {
    if (Status s = checkStructure(d); !s)
        return s;
    // on a copy: a design the rules refuse (a conv with a negative kernel, a matmul whose inner
    // dimensions differ) would estimate nonsense and refuse every edit
    graph::Graph trial = d.graph;
    if (Status s = graph::inferShapesWithBodies(trial); !s)
        return rulesRefuse(s);
    return {};
}

Status settleLoadedDesign(Design &d, std::vector<std::string> *warnings) {
    if (Status s = checkStructure(d); !s)
        return s;
    graph::Graph settled = d.graph; // a refusal part-way leaves the design as it was read
    if (Status s = graph::inferShapesWithBodies(settled); !s) {
        if (!warnings)
            return rulesRefuse(s);
        warnings->push_back(rulesRefuse(s).message + "; opened as saved, with the shapes it declares: change that back "
                                                     "before trusting its estimate; edits elsewhere and saving wait until then");
        return {};
    }
    d.graph = std::move(settled);
    return {};
}

} // namespace seaside::plan
