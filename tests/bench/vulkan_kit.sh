#!/usr/bin/env bash
# Gathers what gpu_check.sh needs for its Vulkan part into one folder, from this (Debian) machine,
# for a GPU machine whose image has no Vulkan SDK: the loader (libvulkan.so.1), the headers, and
# glslc with the libshaderc it links. Then, there:
#   SEASIDE_VULKAN_DIR=DIR bash tests/bench/gpu_check.sh
# The driver's ICD must be on that machine (NVIDIA's lists itself in /usr/share/vulkan/icd.d or
# /etc/vulkan/icd.d, or name it in VK_DRIVER_FILES). Where the loader cannot open the ICD's
# library, libglvnd's libraries are missing there too: on the lent H100 machines (2026-11-27)
# vkCreateInstance gave VK_ERROR_INCOMPATIBLE_DRIVER until Debian's libglvnd0, libglx0, libegl1,
# libgl1, libopengl0 and libgles2 were unpacked into / (`dpkg -x`, then ldconfig); carrying
# libGLdispatch.so.0 alone in this folder was not enough.
# Usage: tests/bench/vulkan_kit.sh DIR   (about 10 MB; keep DIR out of git)
set -euo pipefail
dir=${1:?usage: vulkan_kit.sh DIR}
lib() { # the file a library name resolves to here
  { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk -v n="$1" '$1 == n && !f++ { print $NF }' || true
}
mkdir -p "$dir/include"
for l in libvulkan.so.1 libshaderc.so.1; do
  src=$(lib "$l")
  [[ -n $src ]] || { echo "vulkan_kit: $l is not installed here (apt install libvulkan1 libshaderc1)" >&2; exit 1; }
  cp -L "$src" "$dir/$l"
done
glslc=$(command -v glslc) || { echo "vulkan_kit: glslc is not installed here (apt install glslc)" >&2; exit 1; }
cp -L "$glslc" "$dir/glslc"
[[ -f /usr/include/vulkan/vulkan.h ]] || { echo "vulkan_kit: no Vulkan headers here (apt install libvulkan-dev)" >&2; exit 1; }
cp -rL /usr/include/vulkan "$dir/include/"
[[ -d /usr/include/vk_video ]] && cp -rL /usr/include/vk_video "$dir/include/" # vulkan_core.h includes them
rm -f "$dir"/include/vulkan/*.hpp # C++ bindings: the backend uses the C API
du -sh "$dir"
