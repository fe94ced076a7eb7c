#include "kernels/reference.h"

namespace seaside::kernels::ref {

void gemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k) {
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (std::int64_t p = 0; p < k; ++p)
                acc += double(x[i * k + p]) * double(w[j * k + p]);
            y[i * n + j] = float(acc);
        }
}

void ssmm24(const float *x, const Sparse24 &w, const std::uint32_t *rows, float *y, std::int64_t m) {
    const std::int64_t k = w.k;
    for (std::int64_t i = 0; i < m; ++i) {
        const float *xr = x + (rows ? std::int64_t(rows[i]) : i) * k;
        for (std::int64_t j = 0; j < w.rows; ++j) {
            double acc = 0;
            for (std::int64_t g = 0; g < k / 4; ++g) {
                int first, second;
                w.positions(j, g, first, second);
                acc += double(w.values[std::size_t(j * k / 2 + g * 2)]) * xr[g * 4 + first];
                acc += double(w.values[std::size_t(j * k / 2 + g * 2 + 1)]) * xr[g * 4 + second];
            }
            y[i * w.rows + j] = float(acc);
        }
    }
}

void csrSpmm(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals, const float *x, float *y,
             std::int64_t rows, std::int64_t features) {
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t f = 0; f < features; ++f) {
            double acc = 0;
            for (std::int32_t e = rowPtr[r]; e < rowPtr[r + 1]; ++e)
                acc += double(vals[e]) * x[std::int64_t(colIdx[e]) * features + f];
            y[r * features + f] = float(acc);
        }
}

double nmse(const float *a, const float *b, std::size_t n) {
    double err = 0, ref = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = double(a[i]) - double(b[i]);
        err += d * d;
        ref += double(b[i]) * double(b[i]);
    }
    if (ref == 0)
        return err == 0 ? 0 : 1;
    return err / ref;
}

} // namespace seaside::kernels::ref
