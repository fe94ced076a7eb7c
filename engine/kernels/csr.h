#pragma once
#include "core/expected.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace seaside::kernels {

/// A sparse matrix (a graph's adjacency) in compressed sparse rows.
struct Csr {
    std::int64_t rows = 0, cols = 0;
    std::vector<std::int32_t> rowPtr; // [rows + 1]
    std::vector<std::int32_t> colIdx; // [nnz]
    std::vector<float> values;        // [nnz]
    std::int64_t nnz() const { return std::int64_t(colIdx.size()); }
};

/// From (source, destination) pairs: row = destination, so a row lists what it aggregates from.
/// An id outside [0, nodes) is an error naming the edge.
Expected<Csr> csrFromEdges(std::int64_t nodes, const std::vector<std::pair<std::int64_t, std::int64_t>> &edges);
/// Row pointers monotone and ending at nnz, column ids in range, one value per entry.
Status validate(const Csr &a);
/// validate's checks of the pattern alone, on arrays that live elsewhere (a kernel call's buffers):
/// rowPtr [rows + 1] from 0 to nnz, never decreasing; colIdx [nnz] in 0..cols-1.
Status validatePattern(std::int64_t rows, std::int64_t cols, const std::int32_t *rowPtr, const std::int32_t *colIdx,
                       std::int64_t nnz);
/// validate, and a graph's adjacency: square (nodes x nodes).
Status validateSquare(const Csr &a);
/// GCN's A_hat = D^-1/2 (A + I) D^-1/2 (Kipf and Welling), self loops added once; an invalid or
/// non-square matrix is an error.
Expected<Csr> gcnNormalized(const Csr &a);

} // namespace seaside::kernels
