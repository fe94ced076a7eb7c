#pragma once
// The CPU reference of every kernel: plain loops, obviously right, double accumulation. The
// oracle that every backend and every fast kernel is tested against.
#include "kernels/nm_sparse.h"

#include <cstdint>
#include <vector>

namespace seaside::kernels::ref {

/// Y[m,n] = X[m,k] . W[n,k]^T
void gemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k);
/// Y[i,n] = X[rows[i],k] . W^T with W 2:4-sparse; rows null: row i of X.
void ssmm24(const float *x, const Sparse24 &w, const std::uint32_t *rows, float *y, std::int64_t m);
/// Y[r,f] = sum over the row's entries of value * X[col,f]
void csrSpmm(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals, const float *x, float *y,
             std::int64_t rows, std::int64_t features);

/// Normalised mean squared error: sum (a-b)^2 / sum b^2 (0 when both are zero).
double nmse(const float *a, const float *b, std::size_t n);

} // namespace seaside::kernels::ref
