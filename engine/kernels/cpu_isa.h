#pragma once

namespace seaside::kernels::cpu {

/// The instruction set the hand-vectorised CPU kernels run with. The build targets baseline
/// x86-64 (SSE2), so every fast kernel has an x86-64-v3 path (AVX2 + FMA, 8-wide) and a baseline
/// one, and this picks between them once per process.
enum class Isa { Baseline, X86_64_V3 };

/// x86-64-v3 where the CPU has all of it, else Baseline. SEASIDE_CPU_ISA=baseline forces the
/// baseline paths on any CPU (ctest runs the kernel tests a second time so, since CI's CPU has
/// AVX2 and would otherwise never run them); other values leave the choice to the CPU.
Isa isa();
const char *isaName(Isa);

} // namespace seaside::kernels::cpu
