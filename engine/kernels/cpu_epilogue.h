#pragma once
// The element-wise tails of the MoE products on the CPU, a row at a time: the Samoyeds kernel's
// fused epilogues and the CPU device's (which applies them after the product) share them.
#include <cstdint>

namespace seaside::kernels::cpu {

/// y[i] = silu(gate[i]) * v[i], silu(g) = g / (1 + exp(-g)): w3's product gated by w1's.
/// y may be gate or v (in place).
void siluMulRow(const float *gate, const float *v, float *y, std::int64_t n);

/// y[i] += g * v[i]: w2's product weighted by the router's gate, back into the token's row.
void addScaledRow(float g, const float *v, float *y, std::int64_t n);

} // namespace seaside::kernels::cpu
