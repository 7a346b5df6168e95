// The training rows of a forest, prepared once for every tree: each feature cut into at most 255
// bins (ForestBins.h: quantile bins of numeric features, category bins of categorical ones,
// kMissingBin for missing values) stored row-major as one byte per feature, so a tree's node
// histogram reads one cache line per row; and, for exact splits of small nodes, the raw values
// row-major. The bins come from the whole training set (ForestBins::Global), so one process and
// any number of ranks bin every row identically.
// Thread-safety: GlobalBounds is collective (the rank's thread); the built object is read-only
// and shareable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algo/forest/ForestBins.h"
#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

class BinnedFeatures {
 public:
  // The bins of every feature from the whole training set (ForestBins::Global). Collective.
  static ForestBins GlobalBounds(const Dataset& local, int max_bin, std::uint64_t seed,
                                 Comm& comm) {
    return ForestBins::Global(local, max_bin, seed, comm);
  }
  // `data` binned by `bins`; `keep_raw`: also keep the raw values row-major (for exact splits).
  static BinnedFeatures Build(const Dataset& data, ForestBins bins, bool keep_raw);
  // Rows already binned elsewhere: `codes` row-major (rows x features bytes) and, when not empty,
  // `raw` row-major (rows x features floats).
  static BinnedFeatures FromRows(ForestBins bins, std::vector<std::uint8_t> codes,
                                 std::vector<float> raw);

  std::size_t rows() const { return rows_; }
  int features() const { return features_; }
  // Bin codes of row r: features() bytes.
  const std::uint8_t* row_bins(std::size_t r) const { return codes_.data() + r * features_; }
  // Raw values of row r (only when built with keep_raw).
  const float* row_values(std::size_t r) const { return raw_.data() + r * features_; }
  bool has_raw() const { return !raw_.empty(); }
  // Upper bounds of the bins of numeric feature f (one fewer than the bins).
  const std::vector<float>& bounds(int f) const { return bins_.bounds[f]; }
  const ForestBins& bins() const { return bins_; }
  // Bins of feature f that hold values (ForestBins::ValueBins), kept at hand for the histograms.
  int value_bins(int f) const { return value_bins_[f]; }
  // Whether some training row of any rank misses numeric feature f (ForestBins::has_missing).
  bool has_missing(int f) const { return bins_.has_missing[f] != 0; }

  static std::vector<float> FindBounds(std::vector<float> sample, int max_bin) {
    return ForestBins::FindBounds(std::move(sample), max_bin);
  }

 private:
  void SetBins(ForestBins bins);

  std::size_t rows_ = 0;
  int features_ = 0;
  ForestBins bins_;
  std::vector<int> value_bins_;
  std::vector<std::uint8_t> codes_;
  std::vector<float> raw_;
};

}  // namespace scaleml
