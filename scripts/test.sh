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
# Sanitized runs: unit tests only, so only their binaries are built (not the CLI: the CLI tests
# run the Release binary above, and so do the three unit tests that start it, excluded here).
cmake --build build-asan --parallel "$jobs" --target unit_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 900 -j "$jobs" -L unit \
  -E '^(PredictClassNamesTest\.|DatasetSummaryTest\.InspectShowsTheSchemaOfACachedTable$|TrialRunnerTest\.ResumeAfterTheDriverIsKilledContinuesFromCheckpoints$)')
# Every parser of outside input under libFuzzer (clang, ASan+UBSan), 4 s each; 2 s for the
# targets whose seeds already cover what a short run reaches (in a 16 s run each added fewer than
# 50 inputs to its corpus, against hundreds to thousands for the others). Built at -O0, in a
# folder of its own (build-fuzz stays at -O1 for campaigns): a smoke run over the seeds needs the
# sanitizers more than speed, and the build takes about a third of -O3's time.
rc=0
FUZZ_BUILD_DIR=build-fuzz-smoke FUZZ_OPT=-O0 \
  FUZZ_SHORT="cache model object_transfer peer_links rabit_tracker" bash scripts/fuzz.sh 4 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then exit "$rc"; fi
echo "scaleml: all tests passed"
