#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing (apt, only when a
# package is missing), builds Release into build/, then
#   ./build.sh studio [FILE]  opens the studio on a sample (prints its summary when there is no display)
#   ./build.sh test           runs every test through ctest, headless
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config ccache
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite
  libvulkan-dev mesa-vulkan-drivers vulkan-tools glslc spirv-tools
  libpagmo-dev libonnx-dev libprotobuf-dev protobuf-compiler libmetis-dev libboost-graph-dev
  libgraphviz-dev libbenchmark-dev nlohmann-json3-dev libsqlite3-dev libonnx-testdata
  libopenblas-openmp-dev libeigen3-dev xvfb xauth fonts-dejavu-core
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

case "${1:-studio}" in
  studio)
    file="${2:-projects/mixtral-moe-on-gpus.json}"
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      exec env -u QT_QPA_PLATFORM ./build/bin/seaside "$file"   # no display: prints the summary
    fi
    exec ./build/bin/seaside "$file"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec ctest --test-dir build --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: ./build.sh [studio [FILE] | test]" >&2
    exit 2
    ;;
esac
