#include "kernels/nm_sparse.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace seaside::kernels {

Status noNaN(const char *what, const float *dense, std::int64_t rows, std::int64_t k) {
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < k; ++c)
            if (std::isnan(dense[r * k + c]))
                return makeError(std::string(what) + ": weight (row " + std::to_string(r) + ", column " + std::to_string(c) +
                                 ") is NaN, which has no magnitude to rank by");
    return {};
}

Expected<Sparse24> prune24(const float *dense, std::int64_t rows, std::int64_t k) {
    if (rows < 0)
        return makeError("2:4 pruning: negative row count " + std::to_string(rows));
    if (k <= 0 || k % 4)
        return makeError("2:4 pruning needs k a positive multiple of 4, got k = " + std::to_string(k));
    if (Status st = noNaN("2:4 pruning", dense, rows, k); !st)
        return makeError(st.message());
    Sparse24 s;
    s.rows = rows;
    s.k = k;
    s.values.resize(std::size_t(rows * k / 2));
    s.meta.assign(std::size_t(rows * s.metaWords()), 0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t g = 0; g < k / 4; ++g) {
            const float *w = dense + r * k + g * 4;
            // the two largest magnitudes; ties keep the earlier position
            int a = 0, b = 1;
            if (std::fabs(w[b]) > std::fabs(w[a]))
                std::swap(a, b);
            for (int i = 2; i < 4; ++i) {
                if (std::fabs(w[i]) > std::fabs(w[a])) {
                    b = a;
                    a = i;
                } else if (std::fabs(w[i]) > std::fabs(w[b])) {
                    b = i;
                }
            }
            const int first = std::min(a, b), second = std::max(a, b);
            s.values[std::size_t(r * k / 2 + g * 2)] = w[first];
            s.values[std::size_t(r * k / 2 + g * 2 + 1)] = w[second];
            s.meta[std::size_t(r * s.metaWords() + g / 8)] |= std::uint32_t(first | (second << 2)) << ((g % 8) * 4);
        }
    return s;
}

std::vector<float> densify(const Sparse24 &s) {
    std::vector<float> d(std::size_t(s.rows * s.k), 0.0f);
    for (std::int64_t r = 0; r < s.rows; ++r)
        for (std::int64_t g = 0; g < s.k / 4; ++g) {
            int first, second;
            s.positions(r, g, first, second);
            d[std::size_t(r * s.k + g * 4 + first)] = s.values[std::size_t(r * s.k / 2 + g * 2)];
            d[std::size_t(r * s.k + g * 4 + second)] = s.values[std::size_t(r * s.k / 2 + g * 2 + 1)];
        }
    return d;
}

Status validateMetadata(const Sparse24View &s) {
    if (s.k < 4) // no groups: nothing to check in any of the (possibly 2^31) rows
        return {};
    for (std::int64_t r = 0; r < s.rows; ++r)
        for (std::int64_t g = 0; g < s.k / 4; ++g) {
            const std::uint32_t bits = s.meta[r * s.metaWords() + g / 8] >> ((g % 8) * 4);
            const int first = int(bits & 3u), second = int((bits >> 2) & 3u);
            if (first >= second)
                return makeError("2:4 format: row " + std::to_string(r) + ", group " + std::to_string(g) +
                                 " has metadata positions " + std::to_string(first) + "," + std::to_string(second) +
                                 " (they must be increasing)");
        }
    return {};
}

Status validate(const Sparse24 &s) {
    if (s.k <= 0 || s.k % 4)
        return makeError("2:4 format: k = " + std::to_string(s.k) + " is not a positive multiple of 4");
    if (s.values.size() != std::size_t(s.rows * s.k / 2))
        return makeError("2:4 format: " + std::to_string(s.values.size()) + " values for " + std::to_string(s.rows) +
                         " rows of k = " + std::to_string(s.k) + " (expected " + std::to_string(s.rows * s.k / 2) + ")");
    if (s.meta.size() != std::size_t(s.rows * s.metaWords()))
        return makeError("2:4 format: metadata has " + std::to_string(s.meta.size()) + " words, expected " +
                         std::to_string(s.rows * s.metaWords()));
    return validateMetadata(s);
}

double density(const Sparse24 &s) { return s.k > 0 ? double(s.values.size()) / double(s.rows * s.k) : 0.0; }

} // namespace seaside::kernels
