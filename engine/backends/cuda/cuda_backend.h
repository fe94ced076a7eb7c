#pragma once
// The CUDA backend: one Device per CUDA GPU of compute capability 7.5 or later. Plain C++ (no
// CUDA headers), so the rest of the engine includes it where SEASIDE_HAVE_CUDA is defined.
#include "backends/backend.h"

namespace seaside::backends {

/// The process-wide CUDA backend. Its devices() is empty, never an error, when there is no driver,
/// no GPU or no supported GPU. Ssmm24 runs on Sparse Tensor Cores (mma.sp, fp16 operands, fp32
/// accumulation) for large enough shapes on GPUs that give a block the shared memory its tiles
/// need (sm_80, sm_90; not sm_86 or sm_89, which run the CUDA-core kernel); the environment
/// variable SEASIDE_CUDA_SSMM=cuda-core keeps it on the fp32 CUDA-core kernel. GemmF16 runs on
/// tensor cores (mma.sync, fp32 accumulation) on every supported GPU; TopKGates routes a warp per
/// token up to 1024 experts and a block per token past that.
Backend *cudaBackend();

} // namespace seaside::backends
