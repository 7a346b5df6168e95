#!/bin/sh
# Configures and builds scaleml into build/ (Release, warnings as errors).
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCALEML_WERROR=ON >/dev/null
cmake --build build --parallel "$(nproc)"
