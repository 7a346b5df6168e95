#!/bin/bash
# Measures the per-algorithm memory factors of src/engine/tune/MemoryEstimate.cc: the peak RSS of
# `scaleml train` (the work of one tune trial: split, fit, score) on generated files of two sizes,
# the data read from its binary cache (mapped, as a trial maps the dataset object; the cache is
# written by a first, unmeasured run); the slope of peak RSS against the dataset object's bytes
# is the factor, what is left at the smaller size the base. The mapped data is in that slope
# once: MemoryEstimate.cc takes it out (the object store holds it, shared by every trial).
# Prints a table; copy the rounded-up numbers into MemoryEstimate.cc.
# Boosting and forests run 20 rounds or trees (their peak memory is the data's and the per-round
# work's, not the number of rounds'); knn, quadratic in time, runs on a quarter of the rows.
# Usage: bench/measure_memory_factors.sh SCALEML_BINARY [SMALL_ROWS LARGE_ROWS [ALGOS...]]
set -eu
B=$(readlink -f "$1")
SMALL=${2:-50000}
LARGE=${3:-200000}
shift $(( $# < 3 ? $# : 3 ))
ALGOS=${*:-gbdt xgboost logreg rf knn}
T=$(mktemp -d /tmp/scaleml_memfactor_XXXXXX)
trap 'rm -rf "$T"' EXIT
for rows in $SMALL $LARGE $(( SMALL / 4 )) $(( LARGE / 4 )); do
  "$B" generate --samples "$rows" --features 10 --seed 1 --out "$T/d$rows.csv" >/dev/null
done
# Bytes of the dataset object (DatasetObject.cc): 64-byte aligned float32 features, int32 labels,
# int64 row ids, and a small header with the names.
object_bytes() { echo $(( $1 * 10 * 4 + $1 * 4 + $1 * 8 + 512 )); }
printf "%-8s %14s %14s %10s %12s\n" algo "rss_small_MB" "rss_large_MB" factor "base_MB"
for algo in $ALGOS; do
  rss=()
  small=$SMALL large=$LARGE params=()
  case $algo in
    gbdt) params=(--param num_iterations=20) ;;
    xgboost|rf) params=(--param n_estimators=20) ;;
    knn) small=$(( SMALL / 4 )) large=$(( LARGE / 4 )) ;;
  esac
  for rows in $small $large; do
    [ -e "$T/d$rows.scaleml" ] || "$B" train --algo logreg --param max_iter=1 \
      --data "$T/d$rows.csv" --threads 2 >/dev/null 2>&1  # writes the binary cache
    /usr/bin/time -f "%M %e" -o "$T/rss" "$B" train --algo $algo "${params[@]}" \
      --data "$T/d$rows.csv" --threads 2 >/dev/null
    read -r kb seconds <"$T/rss"
    echo "  $algo $rows rows: peak RSS $kb KB in $seconds s" >&2
    rss+=("$kb")
  done
  python3 - "$algo" "${rss[0]}" "${rss[1]}" "$(object_bytes $small)" "$(object_bytes $large)" <<'PY'
import sys
algo, rss_small, rss_large, bytes_small, bytes_large = sys.argv[1], *map(int, sys.argv[2:])
factor = (rss_large - rss_small) * 1024 / (bytes_large - bytes_small)
base = rss_small * 1024 - factor * bytes_small
print(f"{algo:<8} {rss_small/1024:14.1f} {rss_large/1024:14.1f} {factor:10.2f} {base/2**20:12.1f}")
PY
done
