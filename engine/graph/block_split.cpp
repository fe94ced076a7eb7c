#include "graph/block_split.h"

namespace seaside::graph {

Status splitBlock(Graph &g, const std::string &blockName, int parts) {
    const Node *found = g.findByName(blockName);
    if (!found || found->kind != OpKind::Block || !found->body)
        return makeError("'" + blockName + "' is not a block of the graph");
    if (parts < 1 || parts > found->repeat)
        return makeError("block '" + blockName + "' repeats " + std::to_string(found->repeat) +
                         " times and cannot be split into " + std::to_string(parts) + " parts");
    const Node block = *found;
    std::vector<Edge> in, out;
    for (const Edge &e : g.edges()) {
        if (e.dst == block.id)
            in.push_back(e);
        if (e.src == block.id)
            out.push_back(e);
    }
    for (const Edge &e : in)
        if (e.dstPort != 0)
            return makeError("block '" + blockName + "' has more than one input and cannot be split");
    for (const Edge &e : out)
        if (e.srcPort != 0)
            return makeError("block '" + blockName + "' has more than one output and cannot be split");
    if (Status s = g.removeNode(block.id); !s)
        return s;
    NodeId prev = 0;
    for (int p = 0; p < parts; ++p) {
        Node part = block;
        part.id = 0;
        part.name = blockName + ".p" + std::to_string(p);
        part.repeat = block.repeat / parts + (p < block.repeat % parts ? 1 : 0);
        const NodeId id = g.addNode(std::move(part));
        if (p == 0) {
            for (const Edge &e : in)
                if (Status s = g.addEdge({e.src, e.srcPort, id, 0}); !s)
                    return s;
        } else if (Status s = g.addEdge({prev, 0, id, 0}); !s) {
            return s;
        }
        prev = id;
    }
    for (const Edge &e : out)
        if (Status s = g.addEdge({prev, 0, e.dst, e.dstPort}); !s)
            return s;
    return {};
}

} // namespace seaside::graph
