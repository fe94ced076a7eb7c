#include "kernels/router.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace seaside::kernels {

void topKGates(const float *logits, std::int64_t m, std::int64_t experts, std::int64_t k, std::uint32_t *ids,
               float *gates) {
    // no rows, nothing to rank: the scratch below is sized by the experts, which nothing bounds
    // when there are no logits (0 x 2^31-1 would ask for 16 GiB)
    if (m <= 0)
        return;
    std::vector<int> order;
    std::vector<double> p(static_cast<std::size_t>(experts));
    for (std::int64_t t = 0; t < m; ++t) {
        const float *l = logits + t * experts;
        // NaN logits take no part: they have no place in an order (a comparator that sees them
        // breaks partial_sort's strict weak ordering)
        order.clear();
        for (std::int64_t e = 0; e < experts; ++e)
            if (!std::isnan(l[e]))
                order.push_back(int(e));
        float top = -INFINITY;
        for (int e : order)
            top = std::max(top, l[e]);
        for (int e : order) // l == top: p = 1 even where top is infinite (inf - inf would be NaN)
            p[std::size_t(e)] = l[e] == top ? 1.0 : std::exp(double(l[e]) - double(top));
        const std::int64_t picked = std::min<std::int64_t>(k, std::int64_t(order.size()));
        std::partial_sort(order.begin(), order.begin() + picked, order.end(),
                          [&](int a, int b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
        double kept = 0;
        for (std::int64_t j = 0; j < picked; ++j)
            kept += p[std::size_t(order[std::size_t(j)])];
        for (std::int64_t j = 0; j < k; ++j) {
            const bool filled = j < picked;
            const int e = filled ? order[std::size_t(j)] : 0;
            ids[t * k + j] = filled ? std::uint32_t(e) : kNoExpert;
            gates[t * k + j] = filled ? float(p[std::size_t(e)] / kept) : 0.0f; // renormalised over the top k
        }
    }
}

Status checkChoices(const std::uint32_t *ids, std::int64_t m, std::int64_t experts, std::int64_t k) {
    for (std::int64_t i = 0; i < m * k; ++i) {
        if (ids[i] == kNoExpert)
            return makeError("the router's logits for token " + std::to_string(i / k) + " are NaN for more than " +
                             std::to_string(experts - k) + " of the " + std::to_string(experts) +
                             " experts, so it cannot pick its top " + std::to_string(k) +
                             " (are the input activations or the router's weights NaN?)");
        if (ids[i] >= std::uint64_t(experts))
            return makeError("the router chose expert " + std::to_string(ids[i]) + " of " + std::to_string(experts) +
                             " for token " + std::to_string(i / k));
    }
    return {};
}

} // namespace seaside::kernels
