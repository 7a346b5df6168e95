// The exact stage of a tree's growth: splits on raw values of small nodes (Grower.h).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "algo/forest/Grower.h"

namespace scaleml::forest_growth {

// The raw values, classes and weights of `root`'s records into the exact stage's buffers.
void Grower::LoadExactRows(const Task& root) {
  const std::size_t n = root.end - root.begin;
  values_.resize(n * features_);
  classes_of_.resize(n);
  weights_of_.resize(n);
  // The rows are scattered over the raw table: ask for them a few records ahead.
  constexpr std::size_t kPrefetchAhead = 8;
  for (std::size_t i = 0; i < std::min(n, kPrefetchAhead); ++i) {
    __builtin_prefetch(data_.row_values(RecordRow(Record(root.begin + i))));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) {
      __builtin_prefetch(data_.row_values(RecordRow(Record(root.begin + i + kPrefetchAhead))));
    }
    const std::uint8_t* rec = Record(root.begin + i);
    float* dst = values_.data() + i * features_;
    std::memcpy(dst, data_.row_values(RecordRow(rec)), features_ * sizeof(float));
    // One NaN, positive, so that missing values sort after every number (SortKey).
    for (int f = 0; f < features_; ++f) {
      if (std::isnan(dst[f])) dst[f] = std::numeric_limits<float>::quiet_NaN();
    }
    // Categorical features hold their bin here, as prediction sees them (DecisionTree.h).
    for (int f : categorical_features_) {
      const std::uint8_t bin = rec[8 + f];
      dst[f] = bin == ForestBins::kMissingBin ? std::numeric_limits<float>::quiet_NaN()
                                              : static_cast<float>(bin);
    }
    classes_of_[i] = RecordClass(rec);
    weights_of_[i] = RecordWeight(rec);
  }
}

// Grows the whole subtree of `root` on exact values, in a buffer small enough for the cache.
void Grower::GrowExact(const Task& root) {
  LoadExactRows(root);
  const std::size_t n = root.end - root.begin;
  std::vector<Task> stack;
  stack.push_back({0, n, root.depth, root.parent});
  while (!stack.empty()) {
    const Task task = stack.back();
    stack.pop_back();
    std::fill(totals_.begin(), totals_.end(), 0.0);
    for (std::size_t i = task.begin; i < task.end; ++i) totals_[classes_of_[i]] += weights_of_[i];
    const std::size_t m = task.end - task.begin;
    Split split;
    if (!IsLeaf(m, task.depth)) split = FindExactSplit(task.begin, task.end);
    if (split.feature < 0) {
      Link(task.parent, AddLeaf());
      continue;
    }
    const std::int32_t node = AddSplitNode(split);
    Link(task.parent, node);
    const std::size_t mid = PartitionValues(task.begin, task.end, split);
    stack.push_back({mid, task.end, task.depth + 1, node});
    stack.push_back({task.begin, mid, task.depth + 1, -1});
  }
}

// Best split of one feature on exact values; false if the feature is constant in the node.
bool Grower::ScanValues(int feature, std::size_t begin, std::size_t end, double w, Split* best) {
  if (kinds_[feature] == ScanKind::kCategorical) [[unlikely]] {
    return ScanCategoricalValues(feature, begin, end, w, best);
  }
  const std::size_t m = end - begin;
  keys_.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    keys_[i] = SortKey(values_[(begin + i) * features_ + feature], classes_of_[begin + i],
                       weights_of_[begin + i]);
  }
  // Integer keys sort faster than float pairs with a comparator.
  std::sort(keys_.begin(), keys_.end());
  if (kinds_[feature] == ScanKind::kMissing && std::isnan(KeyItem(keys_.back()).value)) {
    return ScanValuesWithMissing(feature, w, best);
  }
  if (two_class_gini_) return ScanTwoClassGiniKeys(feature, w, best);
  items_.resize(m);
  for (std::size_t i = 0; i < m; ++i) items_[i] = KeyItem(keys_[i]);
  if (items_.back().value <= items_.front().value + kFeatureThreshold) return false;
  std::fill(left_.begin(), left_.end(), 0.0);
  double wl = 0.0;
  const std::size_t min_leaf = params_.min_samples_leaf;
  for (std::size_t i = 0; i + 1 < m; ++i) {
    left_[items_[i].cls] += items_[i].weight;
    wl += items_[i].weight;
    if (items_[i + 1].value <= items_[i].value + kFeatureThreshold) continue;
    const std::size_t nl = i + 1;
    if (nl < min_leaf || m - nl < min_leaf) continue;
    const double score = score_(left_.data(), wl, totals_.data(), w);
    // The midpoint only for a better score: this loop is the exact stage's hot path.
    if (score > best->score) {
      best->TakeThreshold(score, feature, Midpoint(items_[i].value, items_[i + 1].value), false);
    }
  }
  return true;
}

// The rest of ScanValues when some of the node's rows miss the feature (their keys sort last):
// at every cut, the missing rows try each side; also the cut "present left, missing right".
bool Grower::ScanValuesWithMissing(int feature, double w, Split* best) {
  const std::size_t m = keys_.size();
  std::size_t present = m;
  while (present > 0 && std::isnan(KeyItem(keys_[present - 1]).value)) --present;
  if (present == 0) return false;
  std::fill(missing_.begin(), missing_.end(), 0.0);
  double wm = 0.0;
  for (std::size_t i = present; i < m; ++i) {
    const Item item = KeyItem(keys_[i]);
    missing_[item.cls] += item.weight;
    wm += item.weight;
  }
  const std::size_t nm = m - present;
  items_.resize(present);
  for (std::size_t i = 0; i < present; ++i) items_[i] = KeyItem(keys_[i]);
  std::fill(left_.begin(), left_.end(), 0.0);
  double wl = 0.0;
  for (std::size_t i = 0; i < present; ++i) {
    left_[items_[i].cls] += items_[i].weight;
    wl += items_[i].weight;
    const bool last = i + 1 == present;
    if (!last && items_[i + 1].value <= items_[i].value + kFeatureThreshold) continue;
    const std::size_t nl = i + 1;
    const float threshold = last ? std::numeric_limits<float>::infinity()
                                 : Midpoint(items_[i].value, items_[i + 1].value);
    if (Admissible(nl, m - nl)) {
      best->TakeThreshold(score_(left_.data(), wl, totals_.data(), w), feature, threshold, false);
    }
    if (!last && Admissible(nl + nm, present - nl)) {
      for (int k = 0; k < classes_; ++k) with_missing_[k] = left_[k] + missing_[k];
      const double score = score_(with_missing_.data(), wl + wm, totals_.data(), w);
      best->TakeThreshold(score, feature, threshold, true);
    }
  }
  return true;
}

// The rest of ScanValues for two classes, gini and no minimum leaf size, on the sorted keys
// themselves: the same scores from the same sums.
bool Grower::ScanTwoClassGiniKeys(int feature, double w, Split* best) {
  const std::size_t m = keys_.size();
  float value = KeyItem(keys_[0]).value;
  if (KeyItem(keys_[m - 1]).value <= value + kFeatureThreshold) return false;
  const double t0 = totals_[0], t1 = totals_[1];
  double l0 = 0.0, l1 = 0.0;
  for (std::size_t i = 0; i + 1 < m; ++i) {
    const std::uint64_t key = keys_[i];
    const double weight = static_cast<double>(key & 0xffff);
    if ((key >> 16) & 0xffff) {
      l1 += weight;
    } else {
      l0 += weight;
    }
    const float next = KeyItem(keys_[i + 1]).value;
    if (next <= value + kFeatureThreshold) {
      value = next;
      continue;
    }
    const double wl = l0 + l1, r0 = t0 - l0, r1 = t1 - l1;
    const double score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / (w - wl);
    if (score > best->score) best->TakeThreshold(score, feature, Midpoint(value, next), false);
    value = next;
  }
  return true;
}

Split Grower::FindExactSplit(std::size_t begin, std::size_t end) {
  const double w = TotalWeight();
  Split best;
  draw_.Reset();
  int visited = 0, varying = 0;
  while (!draw_.Exhausted() && (visited < per_split_ || varying == 0)) {
    varying += ScanValues(draw_.Next(), begin, end, w, &best);
    ++visited;
  }
  return best;
}

template <typename GoesLeft>
std::size_t Grower::PartitionValuesBy(std::size_t begin, std::size_t end, GoesLeft goes_left) {
  const std::size_t nf = features_;
  std::size_t i = begin, j = end;
  while (true) {
    while (i < j && goes_left(values_.data() + i * nf)) ++i;
    while (i < j && !goes_left(values_.data() + (j - 1) * nf)) --j;
    if (i + 1 >= j) break;
    std::swap_ranges(values_.begin() + i * nf, values_.begin() + (i + 1) * nf,
                     values_.begin() + (j - 1) * nf);
    std::swap(classes_of_[i], classes_of_[j - 1]);
    std::swap(weights_of_[i], weights_of_[j - 1]);
    ++i;
    --j;
  }
  return i;
}

std::size_t Grower::PartitionValues(std::size_t begin, std::size_t end, const Split& split) {
  // goes_left gets a row of values_.
  const std::size_t f = split.feature;
  const float threshold = split.threshold;
  if (split.categorical) {
    // Every bin of the node is in the split's set of seen bins: only NaN takes the default.
    const bool missing_left = split.default_left;
    const DecisionTree::CategorySet& set = category_set_;
    return PartitionValuesBy(begin, end, [&set, f, missing_left](const float* row) {
      const float x = row[f];
      if (std::isnan(x)) return missing_left;
      const auto bin = static_cast<std::uint32_t>(x);
      return (set[bin / 32] >> (bin % 32) & 1u) != 0;
    });
  }
  if (split.default_left) {  // NaN compares false: !(x > threshold) sends it left
    return PartitionValuesBy(begin, end,
                             [f, threshold](const float* row) { return !(row[f] > threshold); });
  }
  return PartitionValuesBy(begin, end,
                           [f, threshold](const float* row) { return row[f] <= threshold; });
}

}  // namespace scaleml::forest_growth
