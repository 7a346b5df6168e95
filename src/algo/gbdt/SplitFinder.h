// LightGBM's split search on one leaf's histogram: for every feature and bin boundary, the gain
// of sending bins <= t left, with L1/L2 regularisation, min_data_in_leaf and
// min_sum_hessian_in_leaf, relative to not splitting plus min_gain_to_split.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

#include "algo/gbdt/Histogram.h"
#include "data/QuantileBins.h"

namespace scaleml {

struct SplitConstraints {
  double lambda_l1 = 0.0;
  double lambda_l2 = 0.0;
  double min_sum_hessian = 1e-3;
  double min_gain = 0.0;
  std::int64_t min_data = 20;
};

struct SplitInfo {
  double gain = -std::numeric_limits<double>::infinity();  // improvement over not splitting
  int feature = -1;
  int bin = -1;  // rows with bin <= this go left
  HistBin left;
  HistBin right;
  // Rows on each side, estimated from the hessian sums (LightGBM's way: histograms hold no
  // counts); computed from the exact integer sums, so the same on every rank.
  std::int64_t left_count = 0;
  std::int64_t right_count = 0;
  bool found() const { return feature >= 0; }
};

// The leaf value that minimises the regularised loss: -sign(G) max(|G| - l1, 0) / (H + l2).
double LeafOutput(const HistBin& total, double lambda_l1, double lambda_l2);

// The best split of a leaf of `count` rows whose histogram is `hist` and whose sums are `total`,
// over `features`; ties go to the lower feature, then the lower bin. min_data applies to the
// estimated child counts. Not found() when no split satisfies the constraints with positive gain.
SplitInfo FindBestSplit(const HistBin* hist, const QuantileBins& bins, const HistBin& total,
                        std::int64_t count, std::span<const int> features,
                        const SplitConstraints& constraints);

}  // namespace scaleml
