#!/bin/sh
# The main job: installs, builds, and runs the quick benchmark: a small dataset in the paper's
# style (a fresh problem per chunk), the five classifiers on the local, tasks and ddp engines and
# the Python peer, ending with out/bench-quick/report.md and its figures.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
sh scripts/build.sh
./build/scaleml bench --suite quick --out out/bench-quick
echo "report: out/bench-quick/report.md (figures beside it)"
