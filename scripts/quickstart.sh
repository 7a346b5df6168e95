#!/bin/sh
# The main job: installs, builds, generates a small dataset in the paper's style (a fresh problem
# per chunk), inspects it, and trains each of the five classifiers on it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
sh scripts/build.sh
mkdir -p out
./build/scaleml generate --samples 200000 --features 10 --classes 2 --problem-per-chunk \
  --chunk-size 50000 --seed 7 --out out/quick.csv
./build/scaleml inspect out/quick.csv
for algo in gbdt xgboost logreg rf knn; do
  params=""
  if [ "$algo" = rf ]; then params="--param n_estimators=10"; fi
  # shellcheck disable=SC2086
  ./build/scaleml train --algo "$algo" --data out/quick.csv $params
done
