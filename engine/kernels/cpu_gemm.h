#pragma once
#include <cstdint>
#include <string>

namespace seaside::kernels::cpu {

/// Y[m,n] = X[m,k] . W[n,k]^T (+ Y when accumulate), by OpenBLAS's sgemm on all cores.
void gemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k,
          bool accumulate = false);
/// Which OpenBLAS kernel runs here ("Zen", "Haswell"), its thread count and threading
/// ("OpenMP": the libgomp pool the kernels use), for reports.
std::string blasCore();

} // namespace seaside::kernels::cpu
