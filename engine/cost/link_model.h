#pragma once
#include "cost/estimate.h"
#include "hw/platform.h"

#include <vector>

namespace seaside::cost {

/// Shortest paths between every pair of devices on a platform, over its links (Boost.Graph's
/// Dijkstra, each hop weighted by its latency plus the time of a 1 MiB message).
class LinkRoutes {
public:
    explicit LinkRoutes(const hw::Platform &p);

    bool connected(int from, int to) const { return from == to || !path(from, to).empty(); }
    /// Link indices from device `from` to device `to` (empty when equal or unreachable).
    const std::vector<int> &path(int from, int to) const { return m_paths[std::size_t(from * m_n + to)]; }
    /// Store-and-forward over the path: each hop costs its latency plus bytes / its bandwidth.
    TransferEstimate transfer(double bytes, int from, int to) const;
    /// One hop's share of a transfer, for the per-link busy time of a pipeline.
    double hopTime(double bytes, int link) const;

private:
    const hw::Platform &m_platform;
    int m_n = 0;
    std::vector<std::vector<int>> m_paths;
};

/// A single link: latency + bytes / bandwidth, and energy per byte.
TransferEstimate linkTransfer(const hw::LinkSpec &l, double bytes);

} // namespace seaside::cost
