// LightGBM's split search on one leaf's histogram, with L1/L2 regularisation, min_data_in_leaf
// and min_sum_hessian_in_leaf, relative to not splitting plus min_gain_to_split:
// - numeric features: for every bin boundary t, the gain of sending bins <= t left; with a
//   missing bin, each boundary twice, the missing rows on the left and on the right (LightGBM's
//   missing_type NaN), plus the missing rows alone on the left;
// - categorical features (FindBestThresholdCategoricalInner): with at most max_cat_to_onehot
//   categories, one category against the rest; otherwise the categories of at least cat_smooth
//   rows sorted by sum_gradient / (sum_hessian + cat_smooth), and the best prefix of at most
//   max_cat_threshold of them taken from either end, in groups of min_data_per_group rows, with
//   cat_l2 added to lambda_l2. The "other" bin 0 (missing and rare categories) is never left.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>

#include "algo/gbdt/FeatureBins.h"
#include "algo/gbdt/Histogram.h"

namespace scaleml {

struct SplitConstraints {
  double lambda_l1 = 0.0;
  double lambda_l2 = 0.0;
  double min_sum_hessian = 1e-3;
  double min_gain = 0.0;
  std::int64_t min_data = 20;
  int max_cat_to_onehot = 4;
  int max_cat_threshold = 32;
  double cat_l2 = 10.0;
  double cat_smooth = 10.0;
  std::int64_t min_data_per_group = 100;
};

struct SplitInfo {
  double gain = -std::numeric_limits<double>::infinity();  // improvement over not splitting
  int feature = -1;
  int bin = -1;              // numeric: rows whose value bin is <= this go left
  bool default_left = true;  // numeric: the missing rows (bin 0 of a missing bin) go left
  bool categorical = false;  // the rows whose bin is in left_bins go left
  std::array<std::uint64_t, 4> left_bins{};
  // A many-category split: as LightGBM, its children's values use lambda_l2 + cat_l2.
  bool with_cat_l2 = false;
  HistBin left;
  HistBin right;
  // Rows on each side, estimated from the hessian sums (LightGBM's way: histograms hold no
  // counts); computed from the exact integer sums, so the same on every rank.
  std::int64_t left_count = 0;
  std::int64_t right_count = 0;
  bool found() const { return feature >= 0; }

  bool BinInLeftSet(int b) const { return (left_bins[b >> 6] >> (b & 63)) & 1; }
  // Whether a row of bin `b` of the split's feature, of kind `kind`, goes left.
  bool GoesLeft(BinKind kind, int b) const {
    if (categorical) return BinInLeftSet(b);
    if (kind == BinKind::kNumericWithMissing && b == 0) return default_left;
    return b <= bin;
  }
};

// The leaf value that minimises the regularised loss: -sign(G) max(|G| - l1, 0) / (H + l2).
double LeafOutput(const HistBin& total, double lambda_l1, double lambda_l2);

// The best split of a leaf of `count` rows whose histogram is `hist` and whose sums are `total`,
// over `features`; ties go to the lower feature, then the first candidate in the order above.
// min_data applies to the estimated child counts. Not found() when no split satisfies the
// constraints with positive gain.
SplitInfo FindBestSplit(const HistBin* hist, const FeatureBins& bins, const HistBin& total,
                        std::int64_t count, std::span<const int> features,
                        const SplitConstraints& constraints);

}  // namespace scaleml
