#include "graph/graph.h"

#include <algorithm>
#include <tuple>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace seaside::graph {

bool Node::operator==(const Node &o) const {
    if (id != o.id || name != o.name || kind != o.kind || !(attrs == o.attrs) ||
        outputs != o.outputs || opType != o.opType || repeat != o.repeat)
        return false;
    if (bool(body) != bool(o.body))
        return false;
    return !body || body == o.body || *body == *o.body; // one shared body: no deep walk
}

bool Graph::operator==(const Graph &o) const {
    if (!(m_nodes == o.m_nodes) || m_edges.size() != o.m_edges.size())
        return false;
    auto key = [](const Edge &e) { return std::tuple(e.src, e.srcPort, e.dst, e.dstPort); };
    auto less = [&](const Edge &a, const Edge &b) { return key(a) < key(b); };
    std::vector<Edge> a = m_edges, b = o.m_edges;
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    return a == b;
}

std::vector<NodeId> Graph::unusedIds(std::size_t count) const {
    NodeId top = 0;
    for (const Node &n : m_nodes)
        top = std::max(top, n.id);
    std::vector<NodeId> ids;
    for (NodeId id = top + 1; ids.size() < count && top < kMaxNodeId && id <= kMaxNodeId; ++id)
        ids.push_back(id);
    for (NodeId id = 1; ids.size() < count && id < top; ++id)
        if (!m_index.count(id))
            ids.push_back(id);
    return ids;
}

NodeId Graph::addNode(Node node, std::size_t at) {
    if (node.id == 0 || m_index.count(node.id))
        node.id = m_nextId <= kMaxNodeId && !m_index.count(m_nextId) ? m_nextId : unusedIds(1).at(0);
    m_nextId = std::max<NodeId>(m_nextId, node.id < kMaxNodeId ? node.id + 1 : kMaxNodeId + 1u);
    const NodeId id = node.id;
    if (at >= m_nodes.size()) {
        m_index[id] = m_nodes.size();
        m_nodes.push_back(std::move(node));
        return id;
    }
    m_nodes.insert(m_nodes.begin() + std::ptrdiff_t(at), std::move(node));
    for (std::size_t i = at; i < m_nodes.size(); ++i)
        m_index[m_nodes[i].id] = i;
    return id;
}

std::size_t Graph::indexOf(NodeId id) const {
    auto it = m_index.find(id);
    return it == m_index.end() ? SIZE_MAX : it->second;
}

Status Graph::addEdge(const Edge &e) {
    const Node *s = node(e.src);
    const Node *d = node(e.dst);
    if (!s || !d)
        return makeError("edge " + std::to_string(e.src) + " -> " + std::to_string(e.dst) +
                         " names a node that does not exist");
    if (e.srcPort < 0 || e.dstPort < 0)
        return makeError("edge " + s->name + " -> " + d->name + " has a negative port");
    if (auto it = m_in.find(e.dst); it != m_in.end())
        for (const Edge &x : it->second)
            if (x.dstPort == e.dstPort)
                return makeError("input " + std::to_string(e.dstPort) + " of " + d->name +
                             " is already connected");
    m_edges.push_back(e);
    auto &in = m_in[e.dst];
    in.insert(std::upper_bound(in.begin(), in.end(), e,
                               [](const Edge &a, const Edge &b) { return a.dstPort < b.dstPort; }),
              e);
    return {};
}

Status Graph::removeNode(NodeId id) {
    auto it = m_index.find(id);
    if (it == m_index.end())
        return makeError("no node with id " + std::to_string(id));
    m_nodes.erase(m_nodes.begin() + std::ptrdiff_t(it->second));
    std::erase_if(m_edges, [id](const Edge &e) { return e.src == id || e.dst == id; });
    m_index.clear();
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        m_index[m_nodes[i].id] = i;
    m_in.erase(id);
    for (auto &[dst, in] : m_in)
        std::erase_if(in, [id](const Edge &e) { return e.src == id; });
    return {};
}

Status Graph::removeEdge(const Edge &e) {
    auto it = std::find(m_edges.begin(), m_edges.end(), e);
    if (it == m_edges.end())
        return makeError("no such edge " + std::to_string(e.src) + " -> " + std::to_string(e.dst));
    m_edges.erase(it);
    std::erase(m_in[e.dst], e);
    return {};
}

const Node *Graph::node(NodeId id) const {
    auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

Node *Graph::node(NodeId id) {
    auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

const Node *Graph::findByName(const std::string &name) const {
    for (const Node &n : m_nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

std::vector<Edge> Graph::inEdges(NodeId id) const {
    auto it = m_in.find(id);
    return it == m_in.end() ? std::vector<Edge>{} : it->second;
}

const TensorDesc *Graph::edgeTensor(const Edge &e) const {
    const Node *s = node(e.src);
    if (!s || e.srcPort >= int(s->outputs.size()))
        return nullptr;
    return &s->outputs[std::size_t(e.srcPort)];
}

std::vector<TensorDesc> Graph::inputTensors(NodeId id) const {
    std::vector<TensorDesc> in;
    for (const Edge &e : inEdges(id)) {
        const TensorDesc *t = edgeTensor(e);
        in.push_back(t ? *t : TensorDesc{});
    }
    return in;
}

namespace {
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

BoostGraph toBoost(const std::vector<Node> &nodes, const std::vector<Edge> &edges,
                   const std::unordered_map<NodeId, std::size_t> &index) {
    BoostGraph g(nodes.size());
    for (const Edge &e : edges)
        boost::add_edge(index.at(e.src), index.at(e.dst), g);
    return g;
}

struct BackEdgeFinder : boost::default_dfs_visitor {
    std::size_t *cycleVertex;
    void back_edge(boost::graph_traits<BoostGraph>::edge_descriptor e, const BoostGraph &g) const {
        if (*cycleVertex == SIZE_MAX)
            *cycleVertex = boost::target(e, g);
    }
};
} // namespace

Expected<std::vector<NodeId>> Graph::topologicalOrder() const {
    BoostGraph g = toBoost(m_nodes, m_edges, m_index);
    std::size_t cycleVertex = SIZE_MAX;
    boost::depth_first_search(g, boost::visitor(BackEdgeFinder{{}, &cycleVertex}));
    if (cycleVertex != SIZE_MAX)
        return makeError("the graph has a cycle through node '" + m_nodes[cycleVertex].name + "'");
    std::vector<std::size_t> reversed;
    reversed.reserve(m_nodes.size());
    boost::topological_sort(g, std::back_inserter(reversed));
    std::vector<NodeId> order;
    order.reserve(reversed.size());
    for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
        order.push_back(m_nodes[*it].id);
    return order;
}

bool Graph::reachable(NodeId from, NodeId to) const {
    if (!m_index.count(from) || !m_index.count(to))
        return false;
    BoostGraph g = toBoost(m_nodes, m_edges, m_index);
    std::vector<boost::default_color_type> colour(m_nodes.size(), boost::white_color);
    boost::breadth_first_search(
        g, m_index.at(from),
        boost::color_map(boost::make_iterator_property_map(colour.begin(), boost::get(boost::vertex_index, g))));
    return colour[m_index.at(to)] != boost::white_color;
}

} // namespace seaside::graph
