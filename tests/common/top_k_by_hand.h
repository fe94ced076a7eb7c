#pragma once
// The MoE router's rule, worked out by hand: the oracle for the router on every device and in the
// MoE layers, which all run kernels::topKGates. Experts are ranked by logit (ties to the lower
// id); the k best get softmax gates renormalised over those k. Finite logits only: the rules for
// NaN and infinities are tested case by case.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace seaside::testing {

// One token's row of `experts` logits: appends its k expert ids and gates.
template <typename Logit>
void topKByHand(const Logit *row, std::int64_t experts, std::int64_t k, std::vector<std::uint32_t> &ids,
                std::vector<double> &gates) {
    std::vector<std::uint32_t> order(static_cast<std::size_t>(experts));
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return row[a] > row[b]; });
    const double top = double(row[order[0]]);
    double sum = 0;
    for (std::int64_t j = 0; j < k; ++j)
        sum += std::exp(double(row[order[std::size_t(j)]]) - top);
    for (std::int64_t j = 0; j < k; ++j) {
        ids.push_back(order[std::size_t(j)]);
        gates.push_back(std::exp(double(row[order[std::size_t(j)]]) - top) / sum);
    }
}

} // namespace seaside::testing
