#pragma once
// IEEE 754 half precision <-> float, for fp16 buffers on the host (uploads, the references).
// Written out rather than taken from a library: C++20 has no std::float16_t (C++23 does), and
// the F16C intrinsics are x86-only while these also build in the GPU check under nvcc.
#include <cstdint>
#include <cstring>

namespace seaside::kernels {

inline std::uint16_t floatToHalf(float value) {
    std::uint32_t f;
    std::memcpy(&f, &value, 4);
    const std::uint32_t sign = (f >> 16) & 0x8000u;
    const std::uint32_t absf = f & 0x7fffffffu;
    if (absf >= 0x7f800000u) // inf or NaN (NaN keeps a payload bit)
        return std::uint16_t(sign | 0x7c00u | (absf > 0x7f800000u ? 0x200u : 0u));
    if (absf >= 0x477ff000u) // rounds past the largest half: inf
        return std::uint16_t(sign | 0x7c00u);
    if (absf < 0x38800000u) { // subnormal half (or zero): round to nearest even at 2^-24
        const int shift = 126 - int(absf >> 23);
        if (shift > 24)
            return std::uint16_t(sign);
        const std::uint32_t mant = (absf & 0x7fffffu) | 0x800000u;
        std::uint32_t h = mant >> shift;
        const std::uint32_t rest = mant & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (h & 1u)))
            ++h;
        return std::uint16_t(sign | h);
    }
    // normal: rebias the exponent, round the mantissa to nearest even (a carry may bump the exponent)
    std::uint32_t h = ((absf - 0x38000000u) >> 13);
    const std::uint32_t rest = absf & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        ++h;
    return std::uint16_t(sign | h);
}

inline float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, f;
    if (exp == 0x1f)
        f = sign | 0x7f800000u | (mant << 13);
    else if (exp == 0) {
        if (mant == 0)
            f = sign;
        else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while (!(mant & 0x400u));
            f = sign | (std::uint32_t(112 - e) << 23) | ((mant & 0x3ffu) << 13);
        }
    } else
        f = sign | ((exp + 112) << 23) | (mant << 13);
    float out;
    std::memcpy(&out, &f, 4);
    return out;
}

} // namespace seaside::kernels
