#include "data/DatasetSummary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace scaleml {

DatasetSummary Summarize(const Dataset& data) {
  DatasetSummary summary;
  summary.rows = static_cast<std::int64_t>(data.rows());
  summary.target = data.target_name();

  const auto labels = data.labels();
  std::map<std::int32_t, std::int64_t> counts;
  // Labels are usually a handful of small values: count those in an array, the rest in a map.
  constexpr std::int32_t kDense = 1024;
  std::vector<std::int64_t> dense(kDense, 0);
  for (std::int32_t label : labels) {
    if (label >= 0 && label < kDense) {
      ++dense[label];
    } else {
      ++counts[label];
    }
  }
  for (std::int32_t label = 0; label < kDense; ++label) {
    if (dense[label] > 0) counts[label] += dense[label];
  }
  for (const auto& [label, count] : counts) summary.classes.push_back({label, count});

  const std::int64_t features = static_cast<std::int64_t>(data.features());
  summary.features.resize(features);
  const double nan = std::numeric_limits<double>::quiet_NaN();
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t f = 0; f < features; ++f) {
    FeatureSummary& out = summary.features[f];
    out.name = data.feature_names()[f];
    float lo = std::numeric_limits<float>::infinity();
    float hi = -std::numeric_limits<float>::infinity();
    double sum = 0.0;
    std::int64_t missing = 0;
    for (float value : data.column(f)) {
      if (std::isnan(value)) {
        ++missing;
        continue;
      }
      lo = std::min(lo, value);
      hi = std::max(hi, value);
      sum += value;
    }
    const std::int64_t present = summary.rows - missing;
    out.missing = missing;
    out.min = present > 0 ? lo : nan;
    out.max = present > 0 ? hi : nan;
    out.mean = present > 0 ? sum / static_cast<double>(present) : nan;
  }
  return summary;
}

}  // namespace scaleml
