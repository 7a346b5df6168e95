// How a forest turns each feature's values into one-byte bin codes, the same on every rank.
//
// Numeric feature: at most max_bin quantile bins; bin b holds the values x with
// bounds[b-1] < x <= bounds[b], so "bin <= b" is exactly "x <= bounds[b]" (what prediction tests).
// Categorical feature (Schema::IsCategorical; values are codes 0..K-1 of a sorted dictionary):
// one bin per category seen in training when at most max_bin are seen; with more, the
// max_bin - 1 most frequent categories keep a bin each and all the others share the last bin
// ("other"), so a column of 100,000 categories costs one byte a row, a histogram of 255 bins per
// node and a K-byte map in the model. Frequencies are counted over the whole training set
// (allreduced), ties broken by the smaller code, and the kept categories numbered in code order:
// every rank derives the same map. The "other" categories are rare by construction (each is
// rarer than every kept one), so splits lose little by moving them together; a split's category
// set is a set of bins (DecisionTree.h), and prediction maps a code to its bin first.
// Missing values (NaN in any feature), categories never seen in training and codes outside the
// dictionary all go to kMissingBin: splits learn where missing rows go (the default direction).
// Thread-safety: Global is collective (the rank's thread); a built value is read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "algo/BinaryIO.h"
#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

struct ForestBins {
  // Bin of missing values; value bins are 0..254 (max_bin is at most 255).
  static constexpr std::uint8_t kMissingBin = 255;

  // Per feature: numeric: upper bounds of its bins (one fewer than the bins); categorical: empty.
  std::vector<std::vector<float>> bounds;
  // Per feature: categorical: the bin of each code (kMissingBin: not seen in training);
  // numeric: empty.
  std::vector<std::vector<std::uint8_t>> category_bins;
  // Per feature: whether it is categorical.
  std::vector<std::uint8_t> categorical;
  // Per feature: whether some training row (of any rank) has NaN there; only for training, where
  // numeric features without NaN keep the plain scans.
  std::vector<std::uint8_t> has_missing;

  std::size_t features() const { return bounds.size(); }
  bool IsCategorical(std::size_t f) const { return categorical[f] != 0; }
  // Bins that hold values (not counting kMissingBin).
  int ValueBins(std::size_t f) const;
  // The bin of categorical code x (kMissingBin for NaN, unseen or invalid codes).
  std::uint8_t CategoryBin(std::size_t f, float x) const {
    const auto& map = category_bins[f];
    if (!(x >= 0.f && x < static_cast<float>(map.size()))) return kMissingBin;
    return map[static_cast<std::size_t>(x)];
  }
  // The value a tree tests for categorical code x: its bin, NaN when missing (DecisionTree.h).
  float CategoryValue(std::size_t f, float x) const {
    const std::uint8_t bin = CategoryBin(f, x);
    return bin == kMissingBin ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(bin);
  }

  // Numeric bounds from a sample of the rows of all ranks (those whose hash of (seed, global row
  // id) picks them, about 100,000), and categorical maps from the counts of all rows: they depend
  // only on the whole training set and the seed, not on the rank count or the partition.
  // Collective.
  static ForestBins Global(const Dataset& local, int max_bin, std::uint64_t seed, Comm& comm);
  // Upper bounds for the values of one feature: midpoints between distinct sample values, at
  // most max_bin - 1 of them, chosen at quantiles when there are more distinct values.
  static std::vector<float> FindBounds(std::vector<float> sample, int max_bin);
  // The bin of each code given every code's count in the training set (see above).
  static std::vector<std::uint8_t> CategoryBins(const std::vector<std::int64_t>& counts,
                                                int max_bin);

  // Only the categorical maps travel with a model (prediction needs no numeric bounds).
  void SaveCategoryMaps(BinaryWriter& out) const;
  static ForestBins LoadCategoryMaps(BinaryReader& in, int features);
};

}  // namespace scaleml
