#include "algo/gbdt/SplitFinder.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace scaleml {
namespace {

// LightGBM adds a tiny epsilon to hessian sums so that empty-hessian leaves do not divide by 0.
constexpr double kEpsilon = 1e-15;

double ThresholdL1(double g, double l1) {
  double shrunk = std::max(0.0, std::fabs(g) - l1);
  return g >= 0 ? shrunk : -shrunk;
}

double LeafGain(double g, double h, double l1, double l2) {
  double t = ThresholdL1(g, l1);
  return t * t / (h + l2 + kEpsilon);
}

// One leaf's search: its sums and constraints, and the best split so far.
struct LeafSearch {
  const SplitConstraints& c;
  std::int64_t count;
  double total_g;
  double total_h;
  double count_factor;  // rows per unit of hessian: a bin's rows are its hessian times this
  double min_gain_shift;
  SplitInfo best;

  std::int64_t Estimate(double h) const {
    return static_cast<std::int64_t>(h * count_factor + 0.5);
  }

  // Numeric boundaries t in [first, bins - 2]: bins <= t go left, the missing bin 0 too when
  // `missing_left` (`left` then starts with it). kMissingBin: bin 0 is the missing bin, never
  // added by the scan.
  template <bool kMissingBin>
  void ScanNumeric(int f, const HistBin* h, int nbins, int first, HistBin left, bool missing_left) {
    for (int t = first; t + 1 < nbins; ++t) {
      if (!kMissingBin || t > 0) left += h[t];
      const double left_h = left.h / kGradientScale;
      const std::int64_t left_count = Estimate(left_h);
      if (left_count < c.min_data) continue;
      const std::int64_t right_count = count - left_count;
      if (right_count < c.min_data) break;
      const double right_h = total_h - left_h;
      if (left_h < c.min_sum_hessian) continue;
      if (right_h < c.min_sum_hessian) break;
      const double left_g = left.g / kGradientScale;
      const double gain = LeafGain(left_g, left_h, c.lambda_l1, c.lambda_l2) +
                          LeafGain(total_g - left_g, right_h, c.lambda_l1, c.lambda_l2);
      if (gain <= min_gain_shift) continue;
      if (gain - min_gain_shift > best.gain) {
        best = SplitInfo{};
        best.gain = gain - min_gain_shift;
        best.feature = f;
        best.bin = t;
        best.default_left = missing_left;
        best.left = left;
        best.left_count = left_count;
      }
    }
  }

  // The gain of sending the rows of `left_sums` left and the others right, with lambda_l2 `l2`.
  double SplitGain(const HistBin& left_sums, double l2) const {
    const double left_g = left_sums.g / kGradientScale, left_h = left_sums.h / kGradientScale;
    return LeafGain(left_g, left_h, c.lambda_l1, l2) +
           LeafGain(total_g - left_g, total_h - left_h, c.lambda_l1, l2);
  }

  void Take(int f, double gain, const HistBin& left, std::int64_t left_count,
            std::span<const int> left_bins, bool with_cat_l2) {
    if (gain - min_gain_shift <= best.gain) return;
    best = SplitInfo{};
    best.gain = gain - min_gain_shift;
    best.feature = f;
    best.bin = 0;
    best.categorical = true;
    best.with_cat_l2 = with_cat_l2;
    best.left = left;
    best.left_count = left_count;
    for (int b : left_bins) best.left_bins[b >> 6] |= std::uint64_t{1} << (b & 63);
  }

  void ScanCategorical(int f, const HistBin* h, int nbins) {
    const int categories = nbins - 1;  // bin 0 is "other", never left
    if (categories <= c.max_cat_to_onehot) {
      for (int b = 1; b < nbins; ++b) {
        const double left_h = h[b].h / kGradientScale;
        const std::int64_t left_count = Estimate(left_h);
        if (left_count < c.min_data || left_h < c.min_sum_hessian) continue;
        if (count - left_count < c.min_data || total_h - left_h < c.min_sum_hessian) continue;
        const double gain = SplitGain(h[b], c.lambda_l2);
        if (gain > min_gain_shift)
          Take(f, gain, h[b], left_count, std::span<const int>(&b, 1), false);
      }
      return;
    }
    std::vector<int> sorted;
    for (int b = 1; b < nbins; ++b) {
      if (static_cast<double>(Estimate(h[b].h / kGradientScale)) >= c.cat_smooth) {
        sorted.push_back(b);
      }
    }
    auto ratio = [&](int b) {
      return (h[b].g / kGradientScale) / (h[b].h / kGradientScale + c.cat_smooth);
    };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](int a, int b) { return ratio(a) < ratio(b); });
    const int used = static_cast<int>(sorted.size());
    const int max_categories = std::min(c.max_cat_threshold, (used + 1) / 2);
    const double l2 = c.lambda_l2 + c.cat_l2;
    std::vector<int> left_bins;
    for (const int direction : {1, -1}) {
      HistBin left;
      left_bins.clear();
      std::int64_t in_group = 0;
      for (int i = 0; i < used && i < max_categories; ++i) {
        const int b = sorted[direction > 0 ? i : used - 1 - i];
        left += h[b];
        left_bins.push_back(b);
        in_group += Estimate(h[b].h / kGradientScale);
        const double left_h = left.h / kGradientScale;
        const std::int64_t left_count = Estimate(left_h);
        if (left_count < c.min_data || left_h < c.min_sum_hessian) continue;
        const std::int64_t right_count = count - left_count;
        if (right_count < c.min_data || right_count < c.min_data_per_group) break;
        if (total_h - left_h < c.min_sum_hessian) break;
        if (in_group < c.min_data_per_group) continue;
        in_group = 0;
        const double gain = SplitGain(left, l2);
        if (gain > min_gain_shift) Take(f, gain, left, left_count, left_bins, true);
      }
    }
  }
};

}  // namespace

double LeafOutput(const HistBin& total, double lambda_l1, double lambda_l2) {
  const double g = total.g / kGradientScale, h = total.h / kGradientScale;
  return -ThresholdL1(g, lambda_l1) / (h + lambda_l2 + kEpsilon);
}

SplitInfo FindBestSplit(const HistBin* hist, const FeatureBins& bins, const HistBin& total,
                        std::int64_t count, std::span<const int> features,
                        const SplitConstraints& c) {
  if (count < 2 * c.min_data) return SplitInfo{};
  const double total_g = total.g / kGradientScale, total_h = total.h / kGradientScale;
  if (total_h < 2 * c.min_sum_hessian) return SplitInfo{};
  LeafSearch search{c,
                    count,
                    total_g,
                    total_h,
                    static_cast<double>(count) / total_h,
                    LeafGain(total_g, total_h, c.lambda_l1, c.lambda_l2) + c.min_gain,
                    SplitInfo{}};
  for (int f : features) {
    const int nbins = bins.bins(f);
    const HistBin* h = hist + bins.offset(f);
    switch (bins.kind(f)) {
      case BinKind::kNumeric:
        search.ScanNumeric<false>(f, h, nbins, 0, HistBin{}, true);
        break;
      case BinKind::kNumericWithMissing:
        // Missing left (from the missing rows alone), then missing right.
        search.ScanNumeric<true>(f, h, nbins, 0, h[0], true);
        search.ScanNumeric<true>(f, h, nbins, 1, HistBin{}, false);
        break;
      case BinKind::kCategorical:
        search.ScanCategorical(f, h, nbins);
        break;
    }
  }
  SplitInfo best = search.best;
  if (best.found()) {
    best.right = total;
    best.right -= best.left;
    best.right_count = count - best.left_count;
  }
  return best;
}

}  // namespace scaleml
