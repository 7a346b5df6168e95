// The histogram bins of every gbdt feature, of one of three kinds (LightGBM's BinMapper):
// - kNumeric: quantile bins (QuantileBins) of a feature with no missing value in the training
//   rows; a split "bin <= t" sends NaN left at prediction, as it always did.
// - kNumericWithMissing: bin 0 holds the missing (NaN) rows, bins 1.. the quantile bins; a split
//   learns on which side the missing rows go (LightGBM's missing_type NaN, default_left).
// - kCategorical: bin 0 holds missing values and the rare categories ("other", never sent left
//   by a split), bins 1..k one category each, the most frequent first (ties to the lower code),
//   at most max_bin - 1 of them, as LightGBM keeps the categories that cover the data.
// Built from counts summed over the ranks, so every rank has the same bins.
// Thread-safety: immutable after construction; const methods are safe from any thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "data/QuantileBins.h"

namespace scaleml {

enum class BinKind : std::uint8_t {
  kNumeric = 0,
  kNumericWithMissing = 1,
  kCategorical = 2,
};

class FeatureBins {
 public:
  FeatureBins() = default;
  // Every feature numeric without missing values.
  explicit FeatureBins(const QuantileBins& numeric);

  // Adds the next feature: quantile bounds (increasing, last +infinity), with a missing bin in
  // front when `has_missing`.
  void AddNumeric(std::span<const float> upper_bounds, bool has_missing);
  // Adds the next feature, categorical with `category_count` codes, whose bins 1.. hold the
  // codes `kept` (in bin order); every other code and NaN fall in bin 0.
  void AddCategorical(std::size_t category_count, std::span<const std::int32_t> kept);

  std::size_t features() const { return kinds_.size(); }
  BinKind kind(std::size_t feature) const { return kinds_[feature]; }
  int bins(std::size_t feature) const {
    return static_cast<int>(offsets_[feature + 1] - offsets_[feature]);
  }
  std::size_t total_bins() const { return offsets_.back(); }
  std::size_t offset(std::size_t feature) const { return offsets_[feature]; }
  // The first bin of a feature's values (1 behind a missing bin, else 0).
  int first_value_bin(std::size_t feature) const {
    return kinds_[feature] == BinKind::kNumeric ? 0 : 1;
  }
  // Numeric: the largest value of bin `bin` (a bin of values, not the missing bin).
  float upper_bound(std::size_t feature, int bin) const {
    return bounds_[bound_offsets_[feature] + bin - first_value_bin(feature)];
  }
  // Categorical: the code of bin `bin` >= 1.
  std::int32_t category(std::size_t feature, int bin) const {
    return bin_codes_[code_offsets_[feature] + bin - 1];
  }
  // Categorical: the codes 0..K-1 of the feature (K = its dictionary's size).
  std::size_t category_count(std::size_t feature) const { return category_counts_[feature]; }

  int Bin(std::size_t feature, float value) const {
    switch (kinds_[feature]) {
      case BinKind::kNumeric:
        return NumericBin(feature, value);
      case BinKind::kNumericWithMissing:
        return std::isnan(value) ? 0 : NumericBin(feature, value) + 1;
      case BinKind::kCategorical:
        return CategoryBin(feature, value);
    }
    return 0;
  }
  // The quantile bin of a number (NaN: 0), without a missing bin.
  int NumericBin(std::size_t feature, float value) const {
    if (std::isnan(value)) return 0;
    // Branch-free lower bound (see QuantileBins::Bin).
    const float* first = bounds_.data() + bound_offsets_[feature];
    std::size_t length = bound_offsets_[feature + 1] - bound_offsets_[feature];
    const float* begin = first;
    while (length > 1) {
      const std::size_t half = length / 2;
      first += static_cast<std::size_t>(first[half - 1] < value) * half;
      length -= half;
    }
    return static_cast<int>(first - begin) + (*first < value ? 1 : 0);
  }
  int CategoryBin(std::size_t feature, float value) const {
    if (!(value >= 0.0f) || value >= static_cast<float>(category_counts_[feature])) return 0;
    return code_bins_[code_bin_offsets_[feature] + static_cast<std::size_t>(value)];
  }

 private:
  std::vector<BinKind> kinds_;
  std::vector<std::size_t> offsets_{0};  // first bin of each feature among all bins
  std::vector<float> bounds_;            // numeric: upper bounds of the value bins
  std::vector<std::size_t> bound_offsets_{0};
  std::vector<std::int32_t> bin_codes_;  // categorical: the code of each bin >= 1
  std::vector<std::size_t> code_offsets_{0};
  std::vector<std::uint8_t> code_bins_;  // categorical: the bin of each code
  std::vector<std::size_t> code_bin_offsets_{0};
  std::vector<std::size_t> category_counts_;
};

}  // namespace scaleml
