#include "kernels/router.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace seaside::kernels {

void topKGates(const float *logits, std::int64_t m, std::int64_t experts, std::int64_t k, std::uint32_t *ids,
               float *gates) {
    std::vector<int> order(static_cast<std::size_t>(experts));
    std::vector<double> p(static_cast<std::size_t>(experts));
    for (std::int64_t t = 0; t < m; ++t) {
        const float *l = logits + t * experts;
        const float top = *std::max_element(l, l + experts);
        double sum = 0;
        for (std::int64_t e = 0; e < experts; ++e)
            sum += (p[std::size_t(e)] = std::exp(double(l[e]) - top));
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
            return p[std::size_t(a)] > p[std::size_t(b)] || (p[std::size_t(a)] == p[std::size_t(b)] && a < b);
        });
        double kept = 0;
        for (std::int64_t j = 0; j < k; ++j)
            kept += p[std::size_t(order[std::size_t(j)])];
        for (std::int64_t j = 0; j < k; ++j) {
            const int e = order[std::size_t(j)];
            ids[t * k + j] = std::uint32_t(e);
            gates[t * k + j] = float(p[std::size_t(e)] / kept); // renormalised over the top k
        }
    }
}

} // namespace seaside::kernels
