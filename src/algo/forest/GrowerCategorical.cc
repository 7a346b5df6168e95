// Categorical splits of a tree's growth (Grower.h): any subset of a feature's category bins goes
// left. The node's bins are put in order of their class statistics and the prefixes of that
// order are scanned like a numeric feature's bins:
// - two classes: by the fraction of class 1 (Breiman et al. 1984, CART section 9.4): the best
//   subset for gini or entropy is a prefix of that order, so the scan is exact, in O(B log B)
//   instead of 2^(B-1) subsets;
// - more classes: by the fraction of the node's most frequent class. No order is exact there
//   (the problem is NP-hard in general); this one puts the categories richest in the main class
//   first, so every split of them from the rest by that class's share is a candidate (Breiman's
//   order for the main class against the others), and deeper nodes separate the other classes. The
//   principal-component order of Coppersmith, Hong and Hosking (1999) is somewhat better but needs
//   a K x K eigenvector per node and feature; this one costs nothing.
// Ties are ordered by bin, so every thread and rank finds the same split.
// In the histogram stage a categorical feature's histogram is the one BuildHistograms made; in
// the exact stage (where categorical features hold their bin as a float, NaN when missing) a
// histogram is made from the node's rows.

#include <algorithm>
#include <cmath>

#include "algo/forest/Grower.h"

namespace scaleml::forest_growth {

std::pair<double, std::size_t> Grower::LoadMissing(const std::uint32_t* hist) {
  const std::uint32_t* cell = hist + ForestBins::kMissingBin * width_;
  double wm = 0.0;
  for (int k = 0; k < classes_; ++k) {
    missing_[k] = cell[k];
    wm += cell[k];
  }
  return {wm, row_counts_ ? cell[classes_] : 0};
}

void Grower::OrderCategoryBins(int feature, const std::uint32_t* hist) {
  // The class whose fraction orders the bins (see above).
  int major = 1;
  if (classes_ != 2) {
    major = 0;
    for (int k = 1; k < classes_; ++k) major = totals_[k] > totals_[major] ? k : major;
  }
  order_.clear();
  const int bins = data_.value_bins(feature);
  for (int b = 0; b < bins; ++b) {
    const std::uint32_t* cell = hist + b * width_;
    double sum = 0.0;
    for (int k = 0; k < classes_; ++k) sum += cell[k];
    if (sum > 0) order_.push_back({cell[major] / sum, b});
  }
  std::sort(order_.begin(), order_.end());
}

bool Grower::ScanCategorical(int feature, int slot, const std::uint32_t* hist, std::size_t n,
                             double w, Split* best) {
  OrderCategoryBins(feature, hist);
  const auto [wm, nm] = LoadMissing(hist);
  const std::size_t present = order_.size();
  if (present + (wm > 0 ? 1 : 0) < 2) return false;
  std::fill(left_.begin(), left_.end(), 0.0);
  double wl = 0.0;
  std::size_t nl = 0;
  CategoryCut cut{present, false, 0.0};  // none here yet
  for (std::size_t i = 0; i < present; ++i) {
    const std::uint32_t* cell = hist + order_[i].second * width_;
    for (int k = 0; k < classes_; ++k) {
      left_[k] += cell[k];
      wl += cell[k];
    }
    if (row_counts_) nl += cell[classes_];
    const bool last = i + 1 == present;
    // The prefix left, the missing rows right (the whole prefix only when some are missing).
    if ((!last || wm > 0) && Admissible(nl, n - nl)) {
      const double score = score_(left_.data(), wl, totals_.data(), w);
      if (score > best->score) {
        best->score = score;
        cut = {i, false, wl};
      }
    }
    if (!last && wm > 0 && Admissible(nl + nm, n - nl - nm)) {
      for (int k = 0; k < classes_; ++k) with_missing_[k] = left_[k] + missing_[k];
      const double score = score_(with_missing_.data(), wl + wm, totals_.data(), w);
      if (score > best->score) {
        best->score = score;
        cut = {i, true, wl + wm};
      }
    }
  }
  if (cut.prefix < present) TakeCategoryCut(feature, slot, cut, wm > 0, w, best);
  return true;
}

void Grower::TakeCategoryCut(int feature, int slot, const CategoryCut& cut, bool had_missing,
                             double w, Split* best) {
  best->feature = feature;
  best->slot = slot;
  best->categorical = true;
  // Without missing rows here, missing and unseen categories follow the larger side.
  best->default_left = had_missing ? cut.missing_left : cut.left_weight > w - cut.left_weight;
  category_set_.fill(0);
  constexpr std::size_t kSeen = DecisionTree::kSetWords / 2;
  for (std::size_t i = 0; i < order_.size(); ++i) {
    const auto bin = static_cast<std::uint32_t>(order_[i].second);
    if (i <= cut.prefix) category_set_[bin / 32] |= 1u << (bin % 32);
    category_set_[kSeen + bin / 32] |= 1u << (bin % 32);
  }
}

bool Grower::ScanCategoricalValues(int feature, std::size_t begin, std::size_t end, double w,
                                   Split* best) {
  exact_hist_.resize(static_cast<std::size_t>(kMaxBins) * width_);
  std::fill(exact_hist_.begin(), exact_hist_.begin() + data_.value_bins(feature) * width_, 0u);
  std::fill_n(exact_hist_.begin() + ForestBins::kMissingBin * width_, width_, 0u);
  for (std::size_t i = begin; i < end; ++i) {
    const float value = values_[i * features_ + feature];
    const std::size_t bin =
        std::isnan(value) ? ForestBins::kMissingBin : static_cast<std::size_t>(value);
    std::uint32_t* cell = exact_hist_.data() + bin * width_;
    cell[classes_of_[i]] += weights_of_[i];
    if (row_counts_) cell[classes_] += 1;
  }
  return ScanCategorical(feature, 0, exact_hist_.data(), end - begin, w, best);
}

}  // namespace scaleml::forest_growth
