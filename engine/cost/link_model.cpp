#include "cost/link_model.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

namespace seaside::cost {

TransferEstimate linkTransfer(const hw::LinkSpec &l, double bytes) {
    return {l.latency + bytes / l.bandwidth, bytes * l.energyPerByte, 1};
}

LinkRoutes::LinkRoutes(const hw::Platform &p) : m_platform(p), m_n(int(p.devices.size())) {
    using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, double, boost::property<boost::edge_index_t, int>>>;
    G g(static_cast<std::size_t>(m_n));
    auto index = [&](const std::string &id) {
        for (int i = 0; i < m_n; ++i)
            if (p.devices[std::size_t(i)].id == id)
                return i;
        return -1;
    };
    for (std::size_t li = 0; li < p.links.size(); ++li) {
        const auto &l = p.links[li];
        const int a = index(l.a), b = index(l.b);
        if (a < 0 || b < 0)
            continue;
        boost::add_edge(std::size_t(a), std::size_t(b),
                        G::edge_property_type(l.spec.latency + 1048576.0 / l.spec.bandwidth,
                                              boost::property<boost::edge_index_t, int>(int(li))),
                        g);
    }
    m_paths.assign(std::size_t(m_n * m_n), {});
    for (int s = 0; s < m_n; ++s) {
        std::vector<G::vertex_descriptor> pred(static_cast<std::size_t>(m_n));
        std::vector<double> dist(static_cast<std::size_t>(m_n));
        boost::dijkstra_shortest_paths(g, std::size_t(s), boost::predecessor_map(pred.data()).distance_map(dist.data()));
        for (int t = 0; t < m_n; ++t) {
            if (t == s || pred[std::size_t(t)] == std::size_t(t))
                continue; // itself, or unreachable
            std::vector<int> links;
            for (std::size_t v = std::size_t(t); v != std::size_t(s); v = pred[v]) {
                const auto e = boost::edge(pred[v], v, g).first;
                links.push_back(boost::get(boost::edge_index, g, e));
            }
            m_paths[std::size_t(s * m_n + t)] = {links.rbegin(), links.rend()};
        }
    }
}

double LinkRoutes::hopTime(double bytes, int link) const {
    const auto &l = m_platform.links[std::size_t(link)].spec;
    return l.latency + bytes / l.bandwidth;
}

TransferEstimate LinkRoutes::transfer(double bytes, int from, int to) const {
    TransferEstimate t;
    if (from == to)
        return t;
    for (int link : path(from, to)) {
        const auto hop = linkTransfer(m_platform.links[std::size_t(link)].spec, bytes);
        t.latency += hop.latency;
        t.energy += hop.energy;
        ++t.hops;
    }
    return t;
}

} // namespace seaside::cost
