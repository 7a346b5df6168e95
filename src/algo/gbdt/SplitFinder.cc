#include "algo/gbdt/SplitFinder.h"

#include <cmath>

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

}  // namespace

double LeafOutput(const HistBin& total, double lambda_l1, double lambda_l2) {
  const double g = total.g / kGradientScale, h = total.h / kGradientScale;
  return -ThresholdL1(g, lambda_l1) / (h + lambda_l2 + kEpsilon);
}

SplitInfo FindBestSplit(const HistBin* hist, const QuantileBins& bins, const HistBin& total,
                        std::int64_t count, std::span<const int> features,
                        const SplitConstraints& c) {
  SplitInfo best;
  if (count < 2 * c.min_data) return best;
  const double total_g = total.g / kGradientScale, total_h = total.h / kGradientScale;
  if (total_h < 2 * c.min_sum_hessian) return best;
  // Rows per unit of hessian: a bin's row count is estimated as its hessian sum times this.
  const double count_factor = static_cast<double>(count) / total_h;
  auto estimate = [&](double h) { return static_cast<std::int64_t>(h * count_factor + 0.5); };
  const double min_gain_shift = LeafGain(total_g, total_h, c.lambda_l1, c.lambda_l2) + c.min_gain;
  for (int f : features) {
    const int nbins = bins.bins(f);
    const HistBin* h = hist + bins.offset(f);
    HistBin left;
    for (int t = 0; t + 1 < nbins; ++t) {
      left += h[t];
      const double left_h = left.h / kGradientScale;
      const std::int64_t left_count = estimate(left_h);
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
        best.gain = gain - min_gain_shift;
        best.feature = f;
        best.bin = t;
        best.left = left;
        best.left_count = left_count;
      }
    }
  }
  if (best.found()) {
    best.right = total;
    best.right -= best.left;
    best.right_count = count - best.left_count;
  }
  return best;
}

}  // namespace scaleml
