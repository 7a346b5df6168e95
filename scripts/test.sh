#!/bin/sh
# Installs dependencies, builds, and runs every test: the Release build with all tests (Python
# included), then the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then
# a short run of every fuzz target.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
sh scripts/build.sh
jobs="$(nproc)"
(cd build && ctest --output-on-failure --timeout 600 -j "$jobs")

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSCALEML_WERROR=ON \
  -DSCALEML_SANITIZE=ON -DSCALEML_BENCHMARKS=OFF -DSCALEML_PYTHON=OFF >/dev/null
cmake --build build-asan --parallel "$jobs"
# Sanitized runs: unit tests only (the CLI tests run the Release binary above).
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 900 -j "$jobs" -L unit)
# Every parser of outside input under libFuzzer (clang, ASan+UBSan), a few seconds each.
rc=0
bash scripts/fuzz.sh 4 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then exit "$rc"; fi
echo "scaleml: all tests passed"
