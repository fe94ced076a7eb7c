#include "kernels/cpu_isa.h"

#include <cstdlib>
#include <string_view>

namespace seaside::kernels::cpu {

namespace {
Isa detect() {
    const char *forced = std::getenv("SEASIDE_CPU_ISA");
    if (forced && std::string_view(forced) == "baseline")
        return Isa::Baseline;
    // isa() may run from another file's static initialiser, before libgcc's own has filled in
    // the CPU model: initialise it here (idempotent).
    __builtin_cpu_init();
#if defined(__clang__) // Clang 14 knows no ISA levels here, nor F16C, MOVBE, LZCNT (which every AVX2 CPU has)
    const bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2");
#else
    const bool v3 = __builtin_cpu_supports("x86-64-v3");
#endif
    return v3 ? Isa::X86_64_V3 : Isa::Baseline;
}
} // namespace

Isa isa() {
    static const Isa chosen = detect();
    return chosen;
}

const char *isaName(Isa i) { return i == Isa::X86_64_V3 ? "x86-64-v3 (AVX2 + FMA)" : "baseline x86-64 (SSE2)"; }

} // namespace seaside::kernels::cpu
