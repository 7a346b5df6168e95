// The dataset a bench run trains on: its cache key (a folder name under --data-dir) and the
// `scaleml generate` arguments that make it. Pure, so the key can be tested: it names every
// parameter that changes the bytes. Thread-safety: functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/DataProblem.h"

namespace scaleml::bench {

struct BenchDataset {
  std::string key;  // "paper-n5000000-f10-c2-chunk300000-seed42" (per-chunk), "one-n..." (one)
  std::vector<std::string> generate_args;  // after `scaleml generate`, before --out
};

// 10 features, 2 classes, seed 42, chunks of 300,000 rows (30,000 below 1,000,000 rows); with
// DataProblem::kPerChunk every chunk its own problem (--problem-per-chunk).
BenchDataset DescribeDataset(std::int64_t rows, DataProblem problem);

}  // namespace scaleml::bench
