#pragma once
// GNN kernels: CSR aggregation (sum, mean, max), GCN and GraphSAGE layers, and SwitchBlade's
// partition-level fusion: the graph split with METIS into parts whose working set fits in
// cache, each part's aggregation and dense update done while its rows are hot.
#include "kernels/csr.h"

#include <cstdint>
#include <vector>

namespace seaside::kernels {

enum class Aggregation { Sum, Mean, Max };

/// Nodes grouped into parts: order lists node ids part by part, partStart[p] where part p begins.
struct Partitioning {
    std::vector<std::int32_t> order;
    std::vector<std::int64_t> partStart; // [parts + 1]
};

/// Whether `p` splits `rows` nodes into parts: partStart runs from 0 up to rows without
/// decreasing, and order holds every node once.
Status validate(const Partitioning &p, std::int64_t rows);

/// METIS k-way partitioning of the (symmetrised) graph into parts of about `targetRows` nodes.
Expected<Partitioning> partitionGraph(const Csr &a, std::int64_t targetRows);

/// The graph renumbered part by part (node order[i] becomes node i), so that each part's rows
/// and most of the feature rows they gather are contiguous. Done once per graph, as SwitchBlade
/// partitions once; the layers then run in this order. Features move with permuteRows.
Expected<Csr> renumber(const Csr &a, const Partitioning &p);
std::vector<float> permuteRows(const float *x, std::int64_t features, const std::vector<std::int32_t> &order);

namespace ref {
/// y[r] = aggregate over the row's entries of value * x[col] (max: of the products; empty row: 0)
void aggregate(const Csr &a, const float *x, std::int64_t features, Aggregation how, float *y);
/// GCN: y = A_hat x W^T; SAGE (mean): y = x Wself^T + mean(neighbours) Wneigh^T
void gcn(const Csr &ahat, const float *x, std::int64_t fIn, const float *w, std::int64_t fOut, float *y);
void sage(const Csr &a, const float *x, std::int64_t fIn, const float *wSelf, const float *wNeigh, std::int64_t fOut, float *y);
} // namespace ref

namespace cpu {
void aggregate(const Csr &a, const float *x, std::int64_t features, Aggregation how, float *y);
/// Unfused: whole-graph aggregation into a [nodes, fIn] buffer, then one GEMM.
void gcnUnfused(const Csr &ahat, const float *x, std::int64_t fIn, const float *w, std::int64_t fOut, float *y);
/// Fused per part: the part's aggregated rows stay in cache and go straight through the GEMM.
/// Refuses parts that are not a partitioning of ahat's nodes (validate above).
Status gcnFused(const Csr &ahat, const Partitioning &parts, const float *x, std::int64_t fIn, const float *w,
                std::int64_t fOut, float *y);
void sage(const Csr &a, const float *x, std::int64_t fIn, const float *wSelf, const float *wNeigh, std::int64_t fOut, float *y);
} // namespace cpu

} // namespace seaside::kernels
