#include "engine/tune/MemoryEstimate.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace scaleml::tune {
namespace {

// Measured by bench/measure_memory_factors.sh (peak RSS of `scaleml train --algo A --threads 2`
// on `scaleml generate` files of 50k and 400k rows, 10 features; the slope between the two is
// the factor, the rest the base), rounded up.
constexpr MemoryFactor kFactors[] = {
    {"gbdt", 3.0, 64 << 20}, {"xgboost", 4.0, 96 << 20}, {"logreg", 3.0, 48 << 20},
    {"rf", 3.0, 64 << 20},   {"knn", 3.0, 64 << 20},
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
