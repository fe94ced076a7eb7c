#pragma once
#include "backends/backend.h"

namespace seaside::backends {

/// The CPU: always present; all cores (OpenMP, OpenBLAS), AVX2 where the CPU has it. This is
/// also what users without a GPU run.
Backend *cpuBackend();

} // namespace seaside::backends
