// Per-feature histogram bins found from a sample of values: each feature's range is cut at
// quantiles of the sample (LightGBM's and XGBoost's "hist" binning), at most max_bin bins of
// roughly equal sample counts, with the boundaries between distinct values so that unseen values
// fall where they belong. A value v lands in the first bin b with v <= upper_bound(b); NaN lands
// in bin 0, so it sorts below every number. A split "bin <= t" is thus exactly "v <= upper_bound(t)
// or v is NaN" on raw values, which is how models trained on bins predict on floats.
// Thread-safety: immutable after construction; const methods are safe from any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace scaleml {

class QuantileBins {
 public:
  QuantileBins() = default;
  // `samples[f]` holds sampled values of feature f in any order (NaNs are ignored); max_bin in
  // [2, 256]. The result depends only on the multiset of values, not on their order.
  static QuantileBins FromSamples(std::vector<std::vector<float>> samples, int max_bin);
  // Boundaries for one feature from its sorted, NaN-free sample.
  static std::vector<float> FindUpperBounds(std::span<const float> sorted, int max_bin);

  std::size_t features() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  // Bins of feature f (at least 1; 1 means the feature is constant in the sample).
  int bins(std::size_t feature) const {
    return static_cast<int>(offsets_[feature + 1] - offsets_[feature]);
  }
  // Sum of bins over all features.
  std::size_t total_bins() const { return upper_bounds_.size(); }
  // Index of feature f's first bin among all features' bins.
  std::size_t offset(std::size_t feature) const { return offsets_[feature]; }
  // Upper bounds of feature f's bins, increasing; the last is +infinity.
  std::span<const float> upper_bounds(std::size_t feature) const {
    return {upper_bounds_.data() + offsets_[feature], static_cast<std::size_t>(bins(feature))};
  }
  float upper_bound(std::size_t feature, int bin) const {
    return upper_bounds_[offsets_[feature] + bin];
  }
  int Bin(std::size_t feature, float value) const {
    if (std::isnan(value)) return 0;
    // Branch-free lower bound: binning touches every value, and the branches of a plain binary
    // search mispredict half the time. The last bound is +infinity, so the result is in range.
    const float* first = upper_bounds_.data() + offsets_[feature];
    std::size_t length = offsets_[feature + 1] - offsets_[feature];
    while (length > 1) {
      const std::size_t half = length / 2;
      first += static_cast<std::size_t>(first[half - 1] < value) * half;
      length -= half;
    }
    return static_cast<int>(first - (upper_bounds_.data() + offsets_[feature])) +
           (*first < value ? 1 : 0);
  }

 private:
  std::vector<float> upper_bounds_;
  std::vector<std::size_t> offsets_;
};

}  // namespace scaleml
