#include "engine/tune/MemoryEstimate.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace scaleml::tune {
namespace {

// Measured with `bench/measure_memory_factors.sh build/scaleml 200000 800000` (peak RSS of
// `scaleml train --threads 2`, data mapped from the binary cache, 10 features; gbdt 20
// iterations, xgboost and rf 20 trees, knn on a quarter of the rows). The slope of peak RSS
// against the dataset object's bytes, 2026-12-03:
//
//   algo     RSS at 200k rows  RSS at 800k rows  slope  base
//   gbdt          36.9 MB           96.0 MB      1.99   17.2 MB
//   xgboost       44.3 MB          109.3 MB      2.18   22.7 MB
//   logreg        32.0 MB           95.8 MB      2.14   10.8 MB
//   rf            37.6 MB          131.3 MB      3.15    6.4 MB
//   knn (50k/200k) 17.3 MB          39.6 MB      3.00    9.9 MB
//
// The slope holds the mapped data once; in a trial that copy is the object store's, shared by
// every trial of the node, so the factor is the slope less 1, rounded up with a margin, and the
// base is rounded up to 32 MB.
constexpr MemoryFactor kFactors[] = {
    {"gbdt", 1.1, 32 << 20}, {"xgboost", 1.3, 32 << 20}, {"logreg", 1.3, 32 << 20},
    {"rf", 2.3, 32 << 20},   {"knn", 2.1, 32 << 20},
};

}  // namespace

MemoryFactor MemoryFactorOf(const std::string& algo) {
  for (const auto& factor : kFactors) {
    if (algo == factor.algo) return factor;
  }
  return *std::max_element(
      std::begin(kFactors), std::end(kFactors),
      [](const auto& a, const auto& b) { return a.per_dataset_byte < b.per_dataset_byte; });
}

std::int64_t EstimateTrialMemory(const std::string& algo, std::int64_t dataset_bytes) {
  const MemoryFactor factor = MemoryFactorOf(algo);
  return factor.base_bytes + static_cast<std::int64_t>(std::ceil(
                                 factor.per_dataset_byte *
                                 static_cast<double>(std::max<std::int64_t>(dataset_bytes, 0))));
}

}  // namespace scaleml::tune
