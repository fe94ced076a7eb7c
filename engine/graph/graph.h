#pragma once
#include "core/expected.h"
#include "graph/attrs.h"
#include "graph/op_kind.h"
#include "graph/tensor.h"

#include <cstdint>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace seaside::graph {

using NodeId = std::uint32_t;
/// The largest node id: the graph never hands out a larger one (past it, it reuses free ids), the
/// loaders refuse one, and the store refuses to save one, so every saved design opens again.
constexpr NodeId kMaxNodeId = 0x7fffffff;
class Graph;

struct Node {
    NodeId id = 0;
    std::string name;
    OpKind kind = OpKind::Custom;
    Attrs attrs;
    std::vector<TensorDesc> outputs; // one per output port, set by shape inference or import
    std::string opType;              // the original operator ("Conv", "NonMaxSuppression") when imported
    // Block: the body is shared, so a layer repeated 32 times, or copied for undo, costs one body.
    std::shared_ptr<const Graph> body;
    std::int64_t repeat = 1;

    bool operator==(const Node &o) const;
};

/// A data dependency: output port `srcPort` of `src` feeds input port `dstPort` of `dst`.
/// The tensor it carries is the producer's `outputs[srcPort]`.
struct Edge {
    NodeId src = 0;
    int srcPort = 0;
    NodeId dst = 0;
    int dstPort = 0;
    bool operator==(const Edge &) const = default;
};

/// A directed graph of operators. Ids are stable across edits; algorithms (topological order,
/// cycle detection, reachability) run on a Boost.Graph view built from the edge list.
class Graph {
public:
    /// Keeps node.id when set and free, else assigns the next id; `at` puts it at that position
    /// of nodes() (undo puts a removed node back where it was).
    NodeId addNode(Node node, std::size_t at = SIZE_MAX);
    std::size_t indexOf(NodeId id) const; // position in nodes(), SIZE_MAX when absent
    Status addEdge(const Edge &e);
    Status removeNode(NodeId id); // and its edges
    Status removeEdge(const Edge &e);

    const Node *node(NodeId id) const;
    Node *node(NodeId id);
    const Node *findByName(const std::string &name) const;
    const std::vector<Node> &nodes() const { return m_nodes; }
    const std::vector<Edge> &edges() const { return m_edges; }
    std::size_t size() const { return m_nodes.size(); }
    /// Ids for `count` new nodes, none in use and none past kMaxNodeId: those after the largest id
    /// while there is room, then free ones from 1 up.
    std::vector<NodeId> unusedIds(std::size_t count) const;

    std::vector<Edge> inEdges(NodeId id) const; // ordered by dstPort
    std::vector<TensorDesc> inputTensors(NodeId id) const;
    const TensorDesc *edgeTensor(const Edge &e) const;

    /// Nodes in dependency order, or an error naming a node that sits on a cycle.
    Expected<std::vector<NodeId>> topologicalOrder() const;
    bool reachable(NodeId from, NodeId to) const;

    /// Same nodes in the same order, and the same edges in any order.
    bool operator==(const Graph &o) const;

private:
    std::vector<Node> m_nodes;
    std::vector<Edge> m_edges;
    std::unordered_map<NodeId, std::size_t> m_index; // id -> position in m_nodes
    std::unordered_map<NodeId, std::vector<Edge>> m_in; // id -> in-edges by dstPort (derived)
    NodeId m_nextId = 1;
};

} // namespace seaside::graph
