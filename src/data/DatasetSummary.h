// What `scaleml inspect` shows about a dataset: rows, classes with their counts and per-feature
// min / mean / max (NaN values counted as missing and left out of the statistics).
// Thread-safety: Summarize is reentrant and uses the caller's OpenMP threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace scaleml {

struct ClassCount {
  std::int32_t label = 0;
  std::int64_t count = 0;
};

struct FeatureSummary {
  std::string name;
  double min = 0.0;   // NaN when every value is missing
  double mean = 0.0;  // NaN when every value is missing
  double max = 0.0;   // NaN when every value is missing
  std::int64_t missing = 0;
};

struct DatasetSummary {
  std::int64_t rows = 0;
  std::string target;
  std::vector<ClassCount> classes;  // sorted by label
  std::vector<FeatureSummary> features;
};

DatasetSummary Summarize(const Dataset& data);

}  // namespace scaleml
