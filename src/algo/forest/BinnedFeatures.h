// The training rows of a forest, prepared once for every tree: each feature cut into at most 255
// quantile bins (from a row sample) stored row-major as one byte per feature, so a tree's node
// histogram reads one cache line per row; and, for exact splits of small nodes, the raw values
// row-major. Bin b of feature f holds the values x with bounds[f][b-1] < x <= bounds[f][b]; the
// last bin also holds NaN, so "bin <= b" is exactly "x <= bounds[f][b]" (what prediction tests).
// Thread-safety: Build needs exclusive access; the built object is read-only and shareable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/Dataset.h"

namespace scaleml {

class BinnedFeatures {
 public:
  // `keep_raw`: also keep the raw values row-major (for exact splits).
  static BinnedFeatures Build(const Dataset& data, int max_bin, std::uint64_t seed, bool keep_raw);

  std::size_t rows() const { return rows_; }
  int features() const { return features_; }
  // Bin codes of row r: features() bytes.
  const std::uint8_t* row_bins(std::size_t r) const { return codes_.data() + r * features_; }
  // Raw values of row r (only when built with keep_raw).
  const float* row_values(std::size_t r) const { return raw_.data() + r * features_; }
  bool has_raw() const { return !raw_.empty(); }
  // Upper bounds of the bins of feature f (one fewer than the bins).
  const std::vector<float>& bounds(int f) const { return bounds_[f]; }

  // Upper bounds for the values of one feature: midpoints between distinct sample values, at
  // most max_bin - 1 of them, chosen at quantiles when there are more distinct values.
  static std::vector<float> FindBounds(std::vector<float> sample, int max_bin);

 private:
  std::size_t rows_ = 0;
  int features_ = 0;
  std::vector<std::vector<float>> bounds_;
  std::vector<std::uint8_t> codes_;
  std::vector<float> raw_;
};

}  // namespace scaleml
