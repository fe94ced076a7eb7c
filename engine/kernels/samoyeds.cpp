#include "kernels/samoyeds.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace seaside::kernels {

Expected<Samoyeds> pruneSamoyeds(const float *dense, std::int64_t rows, std::int64_t k, int n, int m, int v) {
    if (n <= 0 || m <= 0 || n > m || v <= 0 || v % 4)
        return makeError("Samoyeds format: need 0 < N <= M and V a positive multiple of 4");
    if (rows < 0 || k < 0)
        return makeError("Samoyeds format: negative shape (" + std::to_string(rows) + " x " + std::to_string(k) + ")");
    if (rows % m || k % v)
        return makeError("Samoyeds format: rows (" + std::to_string(rows) + ") must divide by M=" + std::to_string(m) +
                         " and k (" + std::to_string(k) + ") by V=" + std::to_string(v));
    // the row norms would be NaN, and a sort comparing NaN is undefined behaviour
    if (Status st = noNaN("Samoyeds pruning", dense, rows, k); !st)
        return makeError(st.message());
    Samoyeds s;
    s.rows = rows;
    s.k = k;
    s.n = n;
    s.m = m;
    s.v = v;
    const std::int64_t kept = s.keptRows(), blocks = k / v;
    s.indices.resize(std::size_t(blocks * kept));
    std::vector<float> compact(std::size_t(kept * k));
    std::vector<int> order(static_cast<std::size_t>(m));
    for (std::int64_t b = 0; b < blocks; ++b)
        for (std::int64_t g = 0; g < rows / m; ++g) {
            std::vector<double> norm(static_cast<std::size_t>(m), 0.0);
            for (int r = 0; r < m; ++r)
                for (std::int64_t c = b * v; c < (b + 1) * v; ++c)
                    norm[std::size_t(r)] += double(dense[(g * m + r) * k + c]) * dense[(g * m + r) * k + c];
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int a, int c) { return norm[std::size_t(a)] > norm[std::size_t(c)]; });
            std::sort(order.begin(), order.begin() + n); // kept rows in ascending order
            for (int j = 0; j < n; ++j) {
                const std::int64_t cj = g * n + j;
                s.indices[std::size_t(b * kept + cj)] = std::uint32_t(order[std::size_t(j)]);
                std::copy(dense + (g * m + order[std::size_t(j)]) * k + b * v, dense + (g * m + order[std::size_t(j)]) * k + (b + 1) * v,
                          compact.begin() + cj * k + b * v);
            }
        }
    auto sparse = prune24(compact.data(), kept, k);
    if (!sparse)
        return sparse.error();
    s.compact = std::move(*sparse);
    return s;
}

std::vector<float> densify(const Samoyeds &s) {
    std::vector<float> out(std::size_t(s.rows * s.k), 0.0f);
    const std::vector<float> compact = densify(s.compact);
    for (std::int64_t b = 0; b < s.k / s.v; ++b)
        for (std::int64_t j = 0; j < s.keptRows(); ++j) {
            const std::int64_t orig = s.originalRow(b, j);
            std::copy(compact.begin() + j * s.k + b * s.v, compact.begin() + j * s.k + (b + 1) * s.v, out.begin() + orig * s.k + b * s.v);
        }
    return out;
}

Status validateIndices(const std::uint32_t *indices, std::int64_t count, int n, int m) {
    for (std::int64_t i = 0; i < count; ++i) {
        const auto idx = indices[i];
        if (idx >= std::uint32_t(m))
            return makeError("Samoyeds format: row index " + std::to_string(idx) + " is outside its group of " + std::to_string(m));
        // a group's kept rows ascend, so none is kept twice (the kernel would add both into one row)
        if (i % n && idx <= indices[i - 1])
            return makeError("Samoyeds format: row indices " + std::to_string(indices[i - 1]) + ", " + std::to_string(idx) +
                             " of one group do not ascend (entry " + std::to_string(i) + ")");
    }
    return {};
}

Status validate(const Samoyeds &s) {
    if (s.n <= 0 || s.m <= 0 || s.n > s.m || s.v <= 0 || s.v % 4)
        return makeError("Samoyeds format: need 0 < N <= M and V a positive multiple of 4, got N=" + std::to_string(s.n) +
                         ", M=" + std::to_string(s.m) + ", V=" + std::to_string(s.v));
    if (s.rows < 0 || s.k < 0 || s.rows % s.m || s.k % s.v)
        return makeError("Samoyeds format: shape does not divide by M or V");
    if (s.indices.size() != std::size_t(s.k / s.v * s.keptRows()))
        return makeError("Samoyeds format: " + std::to_string(s.indices.size()) + " row indices, expected " +
                         std::to_string(s.k / s.v * s.keptRows()));
    if (Status st = validateIndices(s.indices.data(), std::int64_t(s.indices.size()), s.n, s.m); !st)
        return st;
    if (s.compact.rows != s.keptRows() || s.compact.k != s.k)
        return makeError("Samoyeds format: the compact matrix is not [rows/M*N, k]");
    return validate(s.compact);
}

double density(const Samoyeds &s) { return double(s.n) / s.m * density(s.compact); }

} // namespace seaside::kernels
