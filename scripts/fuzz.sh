#!/bin/bash
# Builds the libFuzzer targets of fuzz/ with clang (build-fuzz/, -DSCALEML_FUZZ=ON) and runs each
# for SECONDS (default 4: the ten targets together in about a minute), starting from its seed corpus
# fuzz/corpus/TARGET (never written: new inputs go to build-fuzz/corpus/TARGET). A crash, a
# sanitizer report, a timeout or an out-of-memory stops that target; its input is saved under
# build-fuzz/artifacts/TARGET/ and the script exits 1 after the others have run.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: csv cache model search_space ...)
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_JOBS (2 build jobs), CXX (clang++-14),
# FUZZ_SHORT (targets that run FUZZ_SHORT_SECONDS, default 2, instead of SECONDS), FUZZ_OPT
# (-O1; -O0 builds in about half the time and fuzzes slower; read when the folder is configured).
# Exit 77 when clang or its fuzzer runtime is missing (Debian: clang-14, libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/.."
seconds=${1:-4}
shift $(($# > 0 ? 1 : 0))
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${CXX:-clang++-14}
cc=${CC:-clang-14}
all_targets=$(ls fuzz/*.cc | xargs -n1 basename | sed 's/\.cc$//')
targets=${*:-$all_targets}

if ! command -v "$cxx" > /dev/null; then
  echo "fuzz.sh: $cxx not found (apt-get install clang-14 libclang-rt-14-dev); skipped" >&2
  exit 77
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCALEML_FUZZ=ON \
    -DSCALEML_FUZZ_OPT="${FUZZ_OPT:--O1}" -DSCALEML_TESTS=OFF -DSCALEML_BENCHMARKS=OFF > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log" >&2; echo "fuzz.sh: configure failed" >&2; exit 77; }
fi
names=""
for t in $targets; do names="$names fuzz_$t"; done
cmake --build "$build" --parallel "${FUZZ_JOBS:-2}" --target $names > "$build/fuzz-build.log" 2>&1 \
  || { tail -40 "$build/fuzz-build.log" >&2; echo "fuzz.sh: build failed" >&2; exit 1; }

# Leaks are reported too (a parser that leaks on bad input is a bug); UB aborts (see CMake).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=""
for t in $targets; do
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  seeds=fuzz/corpus/$t
  [ -d "$seeds" ] || seeds=""
  run_seconds=$seconds
  case " ${FUZZ_SHORT:-} " in *" $t "*) run_seconds=${FUZZ_SHORT_SECONDS:-2} ;; esac
  start=$(date +%s)
  "$build/fuzz_$t" -max_total_time="$run_seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts" -print_final_stats=1 "$work" $seeds > "$build/fuzz_$t.log" 2>&1
  code=$?
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz_$t.log" | grep -o '[0-9]*$')
  cov=$(grep -ao 'cov: [0-9]*' "$build/fuzz_$t.log" | tail -1)
  if [ "$code" -ne 0 ]; then
    failed="$failed $t"
    echo "FAIL fuzz_$t after $(($(date +%s) - start)) s ($cov): see $build/fuzz_$t.log" >&2
    grep -aE "ERROR|SUMMARY|runtime error|Test unit written" "$build/fuzz_$t.log" | head -8 >&2
  else
    echo "ok   fuzz_$t: ${runs:-?} inputs in $(($(date +%s) - start)) s, $cov"
  fi
done
[ -z "$failed" ] || { echo "fuzz.sh: findings in:$failed" >&2; exit 1; }
