#pragma once
// Router logits of the kinds the top-k checks sweep (tst_backend_ops, gpu_check), in one place so
// both check the same cases against kernels::topKGates on every device.
#include "random_data.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace seaside::testing {

// The kinds, by index; the labels name them in gpu_check's table.
constexpr int kRouterLogitKinds = 5;
inline const char *routerLogitLabel(int kind) {
    static const char *const labels[kRouterLogitKinds] = {"", " ties", " NaN/inf", " NaN/-inf", " huge"};
    return labels[kind];
}

// m rows of n logits of one kind, the same for the same seed.
inline std::vector<float> routerLogits(int m, int n, int kind, unsigned seed) {
    auto logits = randomVector(std::size_t(m) * std::size_t(n), seed, 2.0f);
    const auto at = [&](int row, int e) -> float & { return logits[std::size_t(row) * std::size_t(n) + std::size_t(e)]; };
    if (kind == 1) // coarse: many equal logits, which go to the lower ids across invocations
        for (auto &v : logits)
            v = std::round(v * 2.0f) / 2.0f;
    if (kind == 2) { // NaN never picked, +inf shares the gates, -inf comes last
        for (std::size_t i = 0; i < logits.size(); ++i)
            logits[i] = i % 3 == 0 ? NAN : i % 11 == 1 ? INFINITY : i % 13 == 2 ? -INFINITY : logits[i];
        if (m > 1) // a row of NaN but two: k - 2 slots left without an expert
            for (int e = 0; e < n; ++e)
                at(1, e) = e == 300 % n || e == n - 1 ? 1.0f : NAN;
    }
    if (kind == 3) { // finite tops among NaN and -inf (gates exp(l - top)); the last row has one
                     // finite logit, so -inf experts are picked after it, gate 0
        for (std::size_t i = 0; i < logits.size(); ++i)
            logits[i] = i % 3 == 0 ? NAN : i % 7 == 1 ? -INFINITY : logits[i];
        for (int e = 0; e < n; ++e)
            at(m - 1, e) = e == n / 2 ? 0.5f : e % 2 ? -INFINITY : NAN;
    }
    if (kind == 4) { // finite logits within 3e38 of zero, where l - top overflows to -inf (gate 0);
                     // the first of several rows all NaN: no expert at all, every gate 0
        for (auto &v : logits)
            v = std::tanh(v) * 3.0e38f;
        if (m > 1)
            std::fill_n(logits.begin(), n, NAN);
    }
    return logits;
}

} // namespace seaside::testing
