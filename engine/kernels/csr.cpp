#include "kernels/csr.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace seaside::kernels {

Expected<Csr> csrFromEdges(std::int64_t nodes, const std::vector<std::pair<std::int64_t, std::int64_t>> &edges) {
    if (nodes < 0 || nodes > INT32_MAX)
        return makeError("graph: node count " + std::to_string(nodes) + " out of range");
    // the row pointers are 32-bit (as the devices' kernels take them): past that they would wrap
    if (edges.size() > std::size_t(INT32_MAX))
        return makeError("graph: " + std::to_string(edges.size()) + " edges, more than a CSR with 32-bit offsets holds (" +
                         std::to_string(INT32_MAX) + ")");
    Csr a;
    a.rows = a.cols = nodes;
    a.rowPtr.assign(std::size_t(nodes) + 1, 0);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const auto [s, d] = edges[i];
        if (s < 0 || s >= nodes || d < 0 || d >= nodes)
            return makeError("graph: edge " + std::to_string(i) + " (" + std::to_string(s) + " -> " + std::to_string(d) +
                             ") names a node outside 0.." + std::to_string(nodes - 1));
        ++a.rowPtr[std::size_t(d) + 1];
    }
    for (std::int64_t r = 0; r < nodes; ++r)
        a.rowPtr[std::size_t(r) + 1] += a.rowPtr[std::size_t(r)];
    a.colIdx.resize(edges.size());
    a.values.assign(edges.size(), 1.0f);
    std::vector<std::int32_t> fill(a.rowPtr.begin(), a.rowPtr.end() - 1);
    for (const auto &[s, d] : edges)
        a.colIdx[std::size_t(fill[std::size_t(d)]++)] = std::int32_t(s);
    for (std::int64_t r = 0; r < nodes; ++r)
        std::sort(a.colIdx.begin() + a.rowPtr[std::size_t(r)], a.colIdx.begin() + a.rowPtr[std::size_t(r) + 1]);
    return a;
}

Status validatePattern(std::int64_t rows, std::int64_t cols, const std::int32_t *rowPtr, const std::int32_t *colIdx,
                       std::int64_t nnz) {
    if (rows < 0 || cols < 0 || rows > INT32_MAX || cols > INT32_MAX)
        return makeError("CSR: shape " + std::to_string(rows) + " x " + std::to_string(cols) + " out of range");
    if (rowPtr[0] != 0 || rowPtr[rows] != nnz)
        return makeError("CSR: row pointers must run from 0 to nnz over rows + 1 entries");
    for (std::int64_t r = 0; r < rows; ++r)
        if (rowPtr[r + 1] < rowPtr[r])
            return makeError("CSR: row pointer decreases at row " + std::to_string(r));
    for (std::int64_t e = 0; e < nnz; ++e)
        if (colIdx[e] < 0 || colIdx[e] >= cols)
            return makeError("CSR: entry " + std::to_string(e) + " has column " + std::to_string(colIdx[e]) +
                             ", outside 0.." + std::to_string(cols - 1));
    return {};
}

Status validate(const Csr &a) {
    if (a.rows < 0 || a.cols < 0 || a.rows > INT32_MAX || a.cols > INT32_MAX)
        return makeError("CSR: shape " + std::to_string(a.rows) + " x " + std::to_string(a.cols) + " out of range");
    if (a.rowPtr.size() != std::size_t(a.rows) + 1)
        return makeError("CSR: row pointers must run from 0 to nnz over rows + 1 entries");
    if (a.values.size() != a.colIdx.size())
        return makeError("CSR: " + std::to_string(a.values.size()) + " values for " + std::to_string(a.colIdx.size()) + " entries");
    return validatePattern(a.rows, a.cols, a.rowPtr.data(), a.colIdx.data(), a.nnz());
}

Status validateSquare(const Csr &a) {
    if (Status s = validate(a); !s)
        return s;
    if (a.rows != a.cols)
        return makeError("graph: the adjacency matrix must be square (nodes x nodes), got " + std::to_string(a.rows) +
                         " x " + std::to_string(a.cols));
    return {};
}

Expected<Csr> gcnNormalized(const Csr &a) {
    if (Status s = validateSquare(a); !s)
        return makeError(s.message());
    Csr out;
    out.rows = a.rows;
    out.cols = a.cols;
    out.rowPtr.assign(std::size_t(a.rows) + 1, 0);
    std::vector<double> degree(std::size_t(a.rows), 1.0); // the self loop
    std::int64_t entries = 0; // counted wide: the added self loops may pass the 32-bit offsets
    for (std::int64_t r = 0; r < a.rows; ++r) {
        bool self = false;
        for (std::int32_t e = a.rowPtr[std::size_t(r)]; e < a.rowPtr[std::size_t(r) + 1]; ++e)
            self = self || a.colIdx[std::size_t(e)] == r;
        degree[std::size_t(r)] += a.rowPtr[std::size_t(r) + 1] - a.rowPtr[std::size_t(r)] - (self ? 1 : 0);
        entries += (a.rowPtr[std::size_t(r) + 1] - a.rowPtr[std::size_t(r)]) + (self ? 0 : 1);
        if (entries > INT32_MAX)
            return makeError("graph: with its self loops the normalised adjacency has more than " + std::to_string(INT32_MAX) +
                             " entries, more than a CSR with 32-bit offsets holds");
        out.rowPtr[std::size_t(r) + 1] = std::int32_t(entries);
    }
    out.colIdx.resize(std::size_t(out.rowPtr.back()));
    out.values.resize(out.colIdx.size());
    for (std::int64_t r = 0; r < a.rows; ++r) {
        std::int32_t o = out.rowPtr[std::size_t(r)];
        bool placed = false;
        auto put = [&](std::int32_t c) {
            out.colIdx[std::size_t(o)] = c;
            out.values[std::size_t(o++)] = float(1.0 / std::sqrt(degree[std::size_t(r)] * degree[std::size_t(c)]));
        };
        for (std::int32_t e = a.rowPtr[std::size_t(r)]; e < a.rowPtr[std::size_t(r) + 1]; ++e) {
            const std::int32_t c = a.colIdx[std::size_t(e)];
            if (!placed && c >= r) { // keep columns sorted: the self loop goes in order
                if (c != r)
                    put(std::int32_t(r));
                placed = true;
            }
            put(c);
        }
        if (!placed)
            put(std::int32_t(r));
    }
    return out;
}

} // namespace seaside::kernels
