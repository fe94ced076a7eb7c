#pragma once
// Reproducible random data for the kernel tests and benchmarks.
#include <random>
#include <vector>

namespace seaside::testing {

/// n values from N(0, scale^2), the same for the same seed.
inline std::vector<float> randomVector(std::size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (auto &x : v)
        x = d(rng);
    return v;
}

} // namespace seaside::testing
