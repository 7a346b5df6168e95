// The histogram stage of a tree's growth: class histograms of prebinned features (Grower.h).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "algo/forest/Grower.h"

namespace scaleml::forest_growth {

// Histograms of features[0..count) into slots first..first+count, in one pass over the rows:
// per bin the class weights and, when min_samples_leaf needs it, the row count.
void Grower::BuildHistograms(std::size_t begin, std::size_t end, const int* features, int count,
                             int first) {
  std::uint32_t* hists[4];
  for (int j = 0; j < count; ++j) {
    hists[j] = SlotHistogram(first + j);
    std::fill(hists[j], hists[j] + data_.value_bins(features[j]) * width_, 0u);
    std::fill_n(hists[j] + ForestBins::kMissingBin * width_, width_, 0u);
  }
  if (classes_ == 2 && !row_counts_) {
    switch (count) {  // the common case: a constant width and feature count the compiler sees
      case 1:
        return BuildTwoClassHistograms<1>(begin, end, features, hists);
      case 2:
        return BuildTwoClassHistograms<2>(begin, end, features, hists);
      case 3:
        return BuildTwoClassHistograms<3>(begin, end, features, hists);
      case 4:
        return BuildTwoClassHistograms<4>(begin, end, features, hists);
      default:
        break;
    }
  }
  if (count == 1 && !row_counts_) {
    std::uint32_t* hist = hists[0];
    const int offset = 8 + features[0];
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint8_t* rec = Record(i);
      hist[rec[offset] * width_ + RecordClass(rec)] += RecordWeight(rec);
    }
    return;
  }
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t* rec = Record(i);
    const std::uint16_t cls = RecordClass(rec), w = RecordWeight(rec);
    const std::uint8_t* bins = rec + 8;
    for (int j = 0; j < count; ++j) {
      std::uint32_t* cell = hists[j] + bins[features[j]] * width_;
      cell[cls] += w;
      if (row_counts_) cell[classes_] += 1;
    }
  }
}

template <int Count>
void Grower::BuildTwoClassHistograms(std::size_t begin, std::size_t end, const int* features,
                                     std::uint32_t* const* hists) {
  int offsets[Count];
  std::uint32_t* out[Count];
  for (int j = 0; j < Count; ++j) {
    offsets[j] = 8 + features[j];
    out[j] = hists[j];
  }
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t* rec = Record(i);
    const std::uint16_t cls = RecordClass(rec), w = RecordWeight(rec);
    for (int j = 0; j < Count; ++j) out[j][rec[offsets[j]] * 2 + cls] += w;
  }
}

// Best split of one feature's histogram; false if the node's rows share one bin.
// (Every row in a node has a bootstrap weight of at least 1: a bin holds rows iff it holds
// weight.)
bool Grower::ScanHistogram(int feature, int slot, std::size_t n, double w, Split* best) {
  const std::uint32_t* hist = SlotHistogram(slot);
  const int bins = data_.value_bins(feature);
  bin_weight_.resize(bins);
  int occupied = 0;
  for (int b = 0; b < bins; ++b) {
    std::uint64_t sum = 0;
    for (int k = 0; k < classes_; ++k) sum += hist[b * width_ + k];
    bin_weight_[b] = static_cast<double>(sum);
    occupied += sum > 0;
  }
  if (occupied < 2) return false;
  std::fill(left_.begin(), left_.end(), 0.0);
  double wl = 0.0;
  std::size_t nl = 0;
  const std::size_t min_leaf = params_.min_samples_leaf;
  bool best_here = false;  // the best split so far is at the previous occupied bin
  for (int b = 0; b < bins; ++b) {
    if (bin_weight_[b] == 0) continue;
    const std::uint32_t* cell = hist + b * width_;
    if (best_here) {
      best->next_bin = b;
      best_here = false;
    }
    for (int k = 0; k < classes_; ++k) left_[k] += cell[k];
    wl += bin_weight_[b];
    if (wl >= w) break;
    if (row_counts_) {
      nl += cell[classes_];
      if (nl < min_leaf || n - nl < min_leaf) continue;
    }
    const double score = score_(left_.data(), wl, totals_.data(), w);
    if (best->TakeBins(score, feature, slot, b, false)) best_here = true;
  }
  return true;
}

// ScanHistogram for two classes, gini and no row counts, in one pass over the bins: the same
// scores from the same sums, without the general case's loops and bin weight table.
bool Grower::ScanTwoClassGini(int feature, int slot, double w, Split* best) {
  const std::uint32_t* hist = SlotHistogram(slot);
  const int bins = data_.value_bins(feature);
  const double t0 = totals_[0], t1 = totals_[1];
  double l0 = 0.0, l1 = 0.0;
  int occupied = 0;
  bool best_here = false;  // the best split so far is at the previous occupied bin
  for (int b = 0; b < bins; ++b) {
    const std::uint32_t c0 = hist[2 * b], c1 = hist[2 * b + 1];
    if ((c0 | c1) == 0) continue;
    ++occupied;
    if (best_here) {
      best->next_bin = b;
      best_here = false;
    }
    l0 += c0;
    l1 += c1;
    const double wl = l0 + l1;
    if (wl >= w) break;  // the last occupied bin
    const double r0 = t0 - l0, r1 = t1 - l1;
    const double score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / (w - wl);
    if (best->TakeBins(score, feature, slot, b, false)) best_here = true;
  }
  return occupied >= 2;
}

bool Grower::ScanFeature(int feature, int slot, std::size_t n, double w, Split* best) {
  const std::uint32_t* hist = SlotHistogram(slot);
  if (kinds_[feature] != ScanKind::kPlain) [[unlikely]] {
    if (kinds_[feature] == ScanKind::kCategorical) {
      return ScanCategorical(feature, slot, hist, n, w, best);
    }
    if (HasMissing(hist)) return ScanWithMissing(feature, slot, hist, n, w, best);
  }
  return two_class_gini_ ? ScanTwoClassGini(feature, slot, w, best)
                         : ScanHistogram(feature, slot, n, w, best);
}

// ScanHistogram for a node with missing rows: at every cut, the missing rows try each side.
// Also the cut after the last bin: the present rows left, the missing right.
bool Grower::ScanWithMissing(int feature, int slot, const std::uint32_t* hist, std::size_t n,
                             double w, Split* best) {
  const auto [wm, nm] = LoadMissing(hist);
  const double wp = w - wm;
  if (wp <= 0) return false;  // every row is missing
  std::fill(left_.begin(), left_.end(), 0.0);
  double wl = 0.0;
  std::size_t nl = 0;
  bool best_here = false;  // the best split so far is at the previous occupied bin
  const int bins = data_.value_bins(feature);
  for (int b = 0; b < bins; ++b) {
    const std::uint32_t* cell = hist + b * width_;
    double sum = 0.0;
    for (int k = 0; k < classes_; ++k) sum += cell[k];
    if (sum == 0) continue;
    if (best_here) {
      best->next_bin = b;
      best_here = false;
    }
    for (int k = 0; k < classes_; ++k) left_[k] += cell[k];
    wl += sum;
    if (row_counts_) nl += cell[classes_];
    const bool last = wl >= wp;
    if (Admissible(nl, n - nl)) {
      const double score = score_(left_.data(), wl, totals_.data(), w);
      if (best->TakeBins(score, feature, slot, b, false)) {
        best->next_bin = b + 1;  // moved on to the next bin holding rows, if there is one
        best_here = true;
      }
    }
    if (!last && Admissible(nl + nm, n - nl - nm)) {
      for (int k = 0; k < classes_; ++k) with_missing_[k] = left_[k] + missing_[k];
      const double score = score_(with_missing_.data(), wl + wm, totals_.data(), w);
      if (best->TakeBins(score, feature, slot, b, true)) best_here = true;
    }
    if (last) break;
  }
  return true;
}

Split Grower::FindHistogramSplit(std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  const double w = TotalWeight();
  Split best;
  draw_.Reset();
  int visited = 0, varying = 0;
  while (!draw_.Exhausted() && (visited < per_split_ || varying == 0)) {
    // Up to four features per pass over the rows: the ones a split needs, then one at a time
    // while all drawn so far were constant here.
    const int count =
        std::min({visited < per_split_ ? per_split_ - visited : 1, features_ - visited, 4});
    for (int j = 0; j < count; ++j) batch_[visited + j] = draw_.Next();
    BuildHistograms(begin, end, batch_.data() + visited, count, visited);
    for (int j = 0; j < count; ++j) {
      varying += ScanFeature(batch_[visited + j], visited + j, n, w, &best);
    }
    visited += count;
  }
  if (best.feature < 0 || best.categorical) return best;
  // The rows split the same way anywhere in the run of empty bins after the best bin: take
  // its middle, as scikit-learn takes the midpoint between the two values. Past the last
  // bound (present rows left, missing right) every number goes left.
  best.bin = (best.bin + best.next_bin - 1) / 2;
  const auto& bounds = data_.bounds(best.feature);
  best.threshold = static_cast<std::size_t>(best.bin) < bounds.size()
                       ? bounds[best.bin]
                       : std::numeric_limits<float>::infinity();
  return best;
}

}  // namespace scaleml::forest_growth
