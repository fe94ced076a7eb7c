#include "plan/auto_layout.h"

#include <algorithm>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <mutex>
#include <unordered_map>

namespace seaside::plan {

using namespace seaside::graph;

Expected<std::map<NodeId, Position>> layeredLayout(const Graph &g, const LayoutOptions &opts) {
    auto order = g.topologicalOrder();
    if (!order)
        return order.error();
    std::unordered_map<NodeId, int> layer;
    std::unordered_map<NodeId, std::vector<NodeId>> preds;
    for (const Edge &e : g.edges())
        preds[e.dst].push_back(e.src);
    int layers = 0;
    for (NodeId id : *order) {
        int l = 0;
        for (NodeId p : preds[id])
            l = std::max(l, layer[p] + 1);
        layer[id] = l;
        layers = std::max(layers, l + 1);
    }
    std::vector<std::vector<NodeId>> rows(static_cast<std::size_t>(layers));
    for (NodeId id : *order)
        rows[std::size_t(layer[id])].push_back(id);

    // One sweep from the top: each row ordered by the mean slot of its predecessors, which
    // keeps chains straight and most crossings out.
    std::unordered_map<NodeId, double> slot;
    std::map<NodeId, Position> pos;
    const double across = (opts.leftToRight ? opts.nodeHeight : opts.nodeWidth) + 40;
    const double along = (opts.leftToRight ? opts.nodeWidth : opts.nodeHeight) + 50;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (opts.cancel && opts.cancel->load())
            return makeError("layout cancelled");
        auto &row = rows[r];
        std::unordered_map<NodeId, double> key;
        for (NodeId id : row) {
            double sum = 0;
            for (NodeId p : preds[id])
                sum += slot[p];
            key[id] = preds[id].empty() ? slot.size() : sum / double(preds[id].size());
        }
        std::stable_sort(row.begin(), row.end(), [&](NodeId a, NodeId b) { return key[a] < key[b]; });
        for (std::size_t i = 0; i < row.size(); ++i) {
            slot[row[i]] = double(i);
            const double a = (double(i) - double(row.size() - 1) / 2) * across;
            const double b = double(r) * along;
            pos[row[i]] = opts.leftToRight ? Position{b, a} : Position{a, b};
        }
    }
    return pos;
}

Expected<std::map<NodeId, Position>> graphvizLayout(const Graph &g, const LayoutOptions &opts) {
    if (auto order = g.topologicalOrder(); !order)
        return order.error();
    // Graphviz keeps global state: one layout at a time.
    static std::mutex gvMutex;
    std::lock_guard lock(gvMutex);
    GVC_t *gvc = gvContext();
    Agraph_t *ag = agopen(const_cast<char *>("g"), Agdirected, nullptr);
    agattr(ag, AGRAPH, const_cast<char *>("rankdir"), const_cast<char *>(opts.leftToRight ? "LR" : "TB"));
    agattr(ag, AGRAPH, const_cast<char *>("nodesep"), const_cast<char *>("0.4"));
    agattr(ag, AGRAPH, const_cast<char *>("ranksep"), const_cast<char *>("0.5"));
    const std::string w = std::to_string(opts.nodeWidth / 72.0), h = std::to_string(opts.nodeHeight / 72.0);
    agattr(ag, AGNODE, const_cast<char *>("shape"), const_cast<char *>("box"));
    agattr(ag, AGNODE, const_cast<char *>("fixedsize"), const_cast<char *>("true"));
    agattr(ag, AGNODE, const_cast<char *>("width"), const_cast<char *>(w.c_str()));
    agattr(ag, AGNODE, const_cast<char *>("height"), const_cast<char *>(h.c_str()));
    std::unordered_map<NodeId, Agnode_t *> nodes;
    for (const Node &n : g.nodes()) {
        std::string key = std::to_string(n.id);
        nodes[n.id] = agnode(ag, key.data(), 1);
    }
    for (const Edge &e : g.edges())
        agedge(ag, nodes[e.src], nodes[e.dst], nullptr, 1);
    std::map<NodeId, Position> pos;
    if (gvLayout(gvc, ag, "dot") == 0) {
        for (const auto &[id, n] : nodes) // Graphviz's y grows upwards; the canvas's downwards
            pos[id] = {ND_coord(n).x * 1.0, -ND_coord(n).y * 1.0};
        gvFreeLayout(gvc, ag);
    }
    agclose(ag);
    gvFreeContext(gvc);
    if (pos.size() != g.size())
        return layeredLayout(g, opts);
    return pos;
}

Expected<std::map<NodeId, Position>> autoLayout(const Graph &g, const LayoutOptions &opts) {
    return g.size() <= opts.graphvizLimit ? graphvizLayout(g, opts) : layeredLayout(g, opts);
}

} // namespace seaside::plan
