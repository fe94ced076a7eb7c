#!/usr/bin/env bash
# The GPU check, for a fresh NVIDIA machine (a few minutes): builds the CUDA backend with the
# kernels' CPU references by nvcc alone (the GPU image has nvcc, cuBLAS, g++ and CMake but not the
# studio's Qt, ONNX or Boost) and, where this machine has Vulkan, the Vulkan backend with g++;
# checks every kernel of both (each epilogue, aggregation and accumulate mode) against the
# reference, times SSMM and the fp16 GEMM against cuBLAS on Mixtral expert shapes and Vulkan
# against CUDA on the same kernels, and prints one table (gpu_check.cpp says more).
#
# Vulkan needs the headers (vulkan/vulkan.h), a loader (libvulkan.so.1), glslc and cmake (which
# embeds the SPIR-V as engine/CMakeLists.txt does); SEASIDE_VULKAN_DIR may name a folder carrying
# libvulkan.so.1 and optionally include/ and glslc (or bin/glslc, its libshaderc.so.1 beside it);
# tests/bench/vulkan_kit.sh makes such a folder from a Debian machine. Running it also needs a driver's
# ICD (on an NVIDIA container: the 'graphics' driver capability). Without them the check says what
# is missing in one line and runs CUDA alone; SEASIDE_GPU_CHECK_NO_VULKAN=1 leaves Vulkan out.
# SEASIDE_GPU_CHECK_JOBS caps the parallel compiles (default: every core).
# SEASIDE_GPU_CHECK_NVCC_FLAGS adds nvcc flags to every compile (an experiment's -D, say).
set -euo pipefail
vkdir=${SEASIDE_VULKAN_DIR:+$(cd "$SEASIDE_VULKAN_DIR" && pwd)} # absolute, before the cd
cd "$(dirname "$0")/../.."
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
out=build-gpu-check
rm -rf "$out" # objects of an earlier run (with or without Vulkan) must not be linked in
mkdir -p "$out"
nvidia-smi -L || true
arch="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90"
common="-O3 -std=c++20 -Iengine ${SEASIDE_GPU_CHECK_NVCC_FLAGS:-}" # extra flags: experiments, e.g. -DSEASIDE_SSMM_TC_STAGES=3
jobs=${SEASIDE_GPU_CHECK_JOBS:-$(nproc)}

# Runs "$@" in the background, at most $jobs at a time; a failure leaves $out/failed behind.
bg() {
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
  { "$@" || touch "$out/failed"; } &
}

# Vulkan: what is missing, if anything.
missing=() off="" vkinc="" loader="" glslc=""
if [[ -n ${SEASIDE_GPU_CHECK_NO_VULKAN:-} && $SEASIDE_GPU_CHECK_NO_VULKAN != 0 ]]; then
  off="SEASIDE_GPU_CHECK_NO_VULKAN is set"
else
  if [[ -n $vkdir && -e $vkdir/libvulkan.so.1 ]]; then
    loader=$vkdir/libvulkan.so.1
  else
    loader=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk '$1 == "libvulkan.so.1" && !n++ { print $NF }' || true)
  fi
  [[ -n $loader ]] || missing+=("no Vulkan loader (libvulkan.so.1)")
  [[ -n $vkdir && -d $vkdir/include/vulkan ]] && vkinc="-I$vkdir/include"
  echo '#include <vulkan/vulkan.h>' | g++ $vkinc -x c++ -fsyntax-only - 2>/dev/null ||
    missing+=("no Vulkan headers (vulkan/vulkan.h)")
  for g in ${vkdir:+"$vkdir/glslc" "$vkdir/bin/glslc"} "$(command -v glslc || true)"; do
    if [[ -n $g && -f $g && -x $g ]]; then glslc=$g; break; fi
  done
  [[ -n $glslc ]] || missing+=("no glslc")
  command -v cmake >/dev/null || missing+=("no cmake (it embeds the SPIR-V)")
fi

# The shaders compiled and embedded as engine/CMakeLists.txt does, then that table compiled.
shaders() {
  mkdir -p "$out/shaders" || return 1
  local spv=()
  for s in shaders/*.comp; do
    LD_LIBRARY_PATH="${vkdir:+$(dirname "$glslc")}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$glslc" --target-env=vulkan1.1 -O -I shaders -o "$out/shaders/$(basename "$s" .comp).spv" "$s" || return 1
    spv+=("$out/shaders/$(basename "$s" .comp).spv")
  done
  cmake -DOUT="$out/shaders/embedded_shaders.cpp" -DSPV_FILES="${spv[*]}" -P cmake/embed_spirv.cmake &&
    g++ -O2 -std=c++20 -c "$out/shaders/embedded_shaders.cpp" -o "$out/vk_embedded_shaders.o"
}

vkdefine="" vklink=()
if [[ -n $off ]]; then
  echo "Vulkan: skipped — $off; checking CUDA only"
elif (( ${#missing[@]} )); then
  printf -v reasons '%s, ' "${missing[@]}"
  echo "Vulkan: skipped — ${reasons%, } on this machine; checking CUDA only"
else
  echo "Vulkan: building with $glslc and the loader $loader"
  # What the loader will find to run on (it also reads VK_ICD_FILENAMES / VK_DRIVER_FILES).
  icds=$(cd / && ls usr/share/vulkan/icd.d/*.json etc/vulkan/icd.d/*.json 2>/dev/null | xargs -r -n1 basename | paste -sd ' ' - || true)
  echo "Vulkan: driver ICDs: ${icds:-none in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d}"
  # The loader's own file as libvulkan.so, so that -lvulkan finds it without the -dev package.
  mkdir -p "$out/vklib"
  ln -s "$(readlink -f "$loader")" "$out/vklib/libvulkan.so"
  vkdefine="-DSEASIDE_GPU_CHECK_VULKAN=1"
  vklink=(-L"$out/vklib" -lvulkan)
  if [[ -n $vkdir && $loader == "$vkdir/libvulkan.so.1" ]]; then # a carried loader: found at run time too
    vklink+=(-Xlinker -rpath -Xlinker "$vkdir")
  fi
fi

# The nvcc compiles first: they take longest.
for f in engine/backends/cuda/*.cu; do
  bg "$nvcc" $common $arch -c "$f" -o "$out/$(basename "$f").o"
done
for f in engine/backends/call_shape.cpp engine/backends/call_contents.cpp engine/kernels/nm_sparse.cpp engine/kernels/csr.cpp \
         engine/kernels/samoyeds.cpp \
         engine/kernels/reference.cpp engine/kernels/router.cpp \
         tests/bench/gpu_check.cpp; do
  bg "$nvcc" $common $vkdefine -x cu $arch -c "$f" -o "$out/$(basename "$f").o"
done
if [[ -n $vkdefine ]]; then
  bg shaders
  for f in engine/backends/vulkan/*.cpp engine/backends/vulkan/ops/*.cpp tests/bench/gpu_check_vulkan.cpp; do
    bg g++ -O2 -std=c++20 -Iengine $vkinc -DSEASIDE_HAVE_VULKAN=1 -c "$f" -o "$out/vk_$(basename "$(dirname "$f")")_$(basename "$f").o"
  done
fi
wait
[[ ! -e $out/failed ]] || { echo "gpu_check: a compile failed (above)"; exit 1; }
"$nvcc" $arch "$out"/*.o -lcublas "${vklink[@]}" -o "$out/gpu_check"
echo "built in ${SECONDS}s"
rc=0
"$out/gpu_check" || rc=$?
echo "gpu_check.sh: ${SECONDS}s in all"
exit $rc
