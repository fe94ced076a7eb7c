#include "kernels/cpu_epilogue.h"
#include "kernels/cpu_isa.h"

#include <cmath>
#include <immintrin.h>

namespace seaside::kernels::cpu {

namespace {

const bool kUseAvx2 = isa() == Isa::X86_64_V3;

float silu(float g) { return g / (1.0f + std::exp(-g)); }

// glibc's libmvec: expf on 8 lanes (the AVX2 vector ABI), in place of a call per element.
extern "C" __attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256);

__attribute__((target("avx2,fma"))) std::int64_t siluMulAvx2(const float *gate, const float *v, float *y, std::int64_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), minusZero = _mm256_set1_ps(-0.0f);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = _ZGVdN8v_expf(_mm256_xor_ps(g, minusZero));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(v + i)));
    }
    return i;
}

} // namespace

void siluMulRow(const float *gate, const float *v, float *y, std::int64_t n) {
    std::int64_t i = kUseAvx2 ? siluMulAvx2(gate, v, y, n) : 0;
    for (; i < n; ++i)
        y[i] = silu(gate[i]) * v[i];
}

void addScaledRow(float g, const float *v, float *y, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        y[i] += g * v[i];
}

} // namespace seaside::kernels::cpu
