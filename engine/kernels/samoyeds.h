#pragma once
// Samoyeds' two-level weight format (EuroSys'25) for an [rows, k] expert matrix:
//  1. vector-wise row N:M: in every group of M rows keep N, chosen per block of V columns;
//     indices [k/V][rows/M*N] uint32 hold the kept row's offset inside its group;
//  2. 2:4 along k on what is left: a Sparse24 over the [rows/M*N, k] compact matrix, whose
//     row j in column block b stands for original row (j/N)*M + indices[b][j].
// Density N/M x 1/2 (25 % with the defaults N=1, M=2, V=128).
#include "kernels/nm_sparse.h"

namespace seaside::kernels {

struct Samoyeds {
    std::int64_t rows = 0, k = 0;
    int n = 1, m = 2, v = 128;
    std::vector<std::uint32_t> indices; // [k/v][rows/m*n]
    Sparse24 compact;                   // [rows/m*n, k]
    std::int64_t keptRows() const { return rows / m * n; }
    std::int64_t originalRow(std::int64_t block, std::int64_t j) const {
        return (j / n) * m + std::int64_t(indices[std::size_t(block * keptRows() + j)]);
    }
};

/// A Samoyeds matrix in memory it does not own (a device's buffers): the compact matrix as a
/// Sparse24View, the indices as [k/v][rows/m*n] uint32.
struct SamoyedsView {
    std::int64_t rows = 0, k = 0;
    int n = 1, m = 2, v = 128;
    const std::uint32_t *indices = nullptr;
    Sparse24View compact;
    SamoyedsView() = default;
    SamoyedsView(const Samoyeds &s) : rows(s.rows), k(s.k), n(s.n), m(s.m), v(s.v), indices(s.indices.data()), compact(s.compact) {}
    std::int64_t keptRows() const { return rows / m * n; }
    std::int64_t originalRow(std::int64_t block, std::int64_t j) const {
        return (j / n) * m + std::int64_t(indices[block * keptRows() + j]);
    }
};

/// Prunes by magnitude: per column block, the N rows of each group with the largest L2 norm,
/// then 2:4 by magnitude. rows must divide by M and k by V (and V by 4).
Expected<Samoyeds> pruneSamoyeds(const float *dense, std::int64_t rows, std::int64_t k, int n = 1, int m = 2, int v = 128);
std::vector<float> densify(const Samoyeds &s);
Status validate(const Samoyeds &s);
/// The index part of validate: each below M, ascending within each group's N (count = k/V x kept).
Status validateIndices(const std::uint32_t *indices, std::int64_t count, int n, int m);
double density(const Samoyeds &s);

} // namespace seaside::kernels
