// The memory a trial is given when tune is not told (--memory-per-trial): its own memory beyond
// the dataset object it maps (that object is the store's, shared by the node's trials), the
// object's bytes times a per-algorithm factor plus a fixed base for the process, both measured
// from the peak RSS of `scaleml train` on generated data (the table and the command are in
// MemoryEstimate.cc). A trial reserves this much on its node, so trials wait for memory rather
// than meet the OOM killer together.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace scaleml::tune {

struct MemoryFactor {
  const char* algo;
  double per_dataset_byte;  // peak RSS growth per byte of the dataset object
  std::int64_t base_bytes;  // peak RSS of a run on a tiny dataset
};

// The factor of `algo` (aliases resolved by the caller: gbdt, xgboost, logreg, rf, knn); the
// largest factor for an algorithm not in the table.
MemoryFactor MemoryFactorOf(const std::string& algo);
std::int64_t EstimateTrialMemory(const std::string& algo, std::int64_t dataset_bytes);

}  // namespace scaleml::tune
