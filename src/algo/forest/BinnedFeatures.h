// The training rows of a forest, prepared once for every tree: each feature cut into at most 255
// quantile bins stored row-major as one byte per feature, so a tree's node histogram reads one
// cache line per row; and, for exact splits of small nodes, the raw values row-major. Bin b of
// feature f holds the values x with bounds[f][b-1] < x <= bounds[f][b]; the last bin also holds
// NaN, so "bin <= b" is exactly "x <= bounds[f][b]" (what prediction tests).
// The bounds come from a sample of the whole training set that every rank agrees on (GlobalBounds),
// so one process and any number of ranks bin every row identically.
// Thread-safety: GlobalBounds is collective (the rank's thread); the built object is read-only
// and shareable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

class BinnedFeatures {
 public:
  using Bounds = std::vector<std::vector<float>>;

  // Bin bounds of every feature from the rows of all ranks whose hash of (seed, global row id)
  // picks them (about kSampleRows of them), gathered: they depend only on the whole training set
  // and the seed, not on the rank count or how the rows are partitioned. Collective.
  static Bounds GlobalBounds(const Dataset& local, int max_bin, std::uint64_t seed, Comm& comm);
  // `data` binned by `bounds`; `keep_raw`: also keep the raw values row-major (for exact splits).
  static BinnedFeatures Build(const Dataset& data, Bounds bounds, bool keep_raw);
  // Rows already binned elsewhere: `codes` row-major (rows x features bytes) and, when not empty,
  // `raw` row-major (rows x features floats).
  static BinnedFeatures FromRows(Bounds bounds, std::vector<std::uint8_t> codes,
                                 std::vector<float> raw);

  std::size_t rows() const { return rows_; }
  int features() const { return features_; }
  // Bin codes of row r: features() bytes.
  const std::uint8_t* row_bins(std::size_t r) const { return codes_.data() + r * features_; }
  // Raw values of row r (only when built with keep_raw).
  const float* row_values(std::size_t r) const { return raw_.data() + r * features_; }
  bool has_raw() const { return !raw_.empty(); }
  // Upper bounds of the bins of feature f (one fewer than the bins).
  const std::vector<float>& bounds(int f) const { return bounds_[f]; }
  const Bounds& bounds() const { return bounds_; }

  // Upper bounds for the values of one feature: midpoints between distinct sample values, at
  // most max_bin - 1 of them, chosen at quantiles when there are more distinct values.
  static std::vector<float> FindBounds(std::vector<float> sample, int max_bin);

 private:
  std::size_t rows_ = 0;
  int features_ = 0;
  Bounds bounds_;
  std::vector<std::uint8_t> codes_;
  std::vector<float> raw_;
};

}  // namespace scaleml
