#!/usr/bin/env bash
# The GPU check, for a fresh NVIDIA machine (about 2 minutes): builds the CUDA backend with the
# kernels' CPU references alone (the GPU image has nvcc but not the studio's Qt, ONNX or Boost),
# checks every CUDA kernel (and each epilogue, aggregation and accumulate mode) against the
# reference, and times SSMM and the fp16 GEMM against cuBLAS on Mixtral expert shapes. Prints one
# table. Vulkan is not part of it: the GPU image carries no Vulkan loader.
set -euo pipefail
cd "$(dirname "$0")/../.."
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
out=build-gpu-check
mkdir -p "$out"
nvidia-smi -L || true
arch="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90"
common="-O3 -std=c++20 -Iengine"
pids=()
for f in engine/backends/cuda/*.cu; do
  "$nvcc" $common $arch -c "$f" -o "$out/$(basename "$f").o" & pids+=($!)
done
for f in engine/backends/call_shape.cpp engine/kernels/nm_sparse.cpp engine/kernels/reference.cpp engine/kernels/router.cpp \
         tests/bench/gpu_check.cpp; do
  "$nvcc" $common -x cu $arch -c "$f" -o "$out/$(basename "$f").o" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
"$nvcc" $arch "$out"/*.o -lcublas -o "$out/gpu_check"
"$out/gpu_check"
