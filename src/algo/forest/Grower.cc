// The node loop of a tree's growth and the records it partitions (Grower.h).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "algo/forest/Grower.h"

namespace scaleml::forest_growth {

DecisionTree Grower::Grow() {
  std::vector<Task> stack;
  stack.push_back({0, record_count_, 0, -1});
  // Class weights of the stacked tasks, K per task in stack order: a split knows its
  // children's from the histogram, so no node needs a pass of its own to count them.
  std::vector<double> stacked_totals;
  SumRecordClasses(0, record_count_);
  stacked_totals.insert(stacked_totals.end(), totals_.begin(), totals_.end());
  hist_.resize(static_cast<std::size_t>(features_) * kMaxBins * width_);
  batch_.resize(features_);
  while (!stack.empty()) {
    const Task task = stack.back();
    stack.pop_back();
    std::copy(stacked_totals.end() - classes_, stacked_totals.end(), totals_.begin());
    stacked_totals.resize(stacked_totals.size() - classes_);
    const std::size_t n = task.end - task.begin;
    if (IsLeaf(n, task.depth)) {
      Link(task.parent, AddLeaf());
      continue;
    }
    if (data_.has_raw() && n < static_cast<std::size_t>(params_.exact_split_rows)) {
      GrowExact(task);
      continue;
    }
    Split split = FindHistogramSplit(task.begin, task.end);
    if (split.feature < 0) {
      // Every drawn feature sits in one bin here; the raw values may still differ.
      if (data_.has_raw() && params_.exact_split_rows > 0) {
        GrowExact(task);
      } else {
        Link(task.parent, AddLeaf());
      }
      continue;
    }
    const std::int32_t node = AddSplitNode(split);
    Link(task.parent, node);
    const std::size_t mid = PartitionRecords(task.begin, task.end, split);
    SumLeftClasses(split, SlotHistogram(split.slot));
    for (int k = 0; k < classes_; ++k) stacked_totals.push_back(totals_[k] - left_[k]);
    stacked_totals.insert(stacked_totals.end(), left_.begin(), left_.end());
    stack.push_back({mid, task.end, task.depth + 1, node});
    stack.push_back({task.begin, mid, task.depth + 1, -1});
  }
  return std::move(tree_);
}

void Grower::MakeRecords(std::span<const std::int32_t> codes,
                         std::span<const std::uint16_t> weight) {
  const std::size_t n = data_.rows();
  record_count_ = 0;
  for (std::size_t r = 0; r < n; ++r) record_count_ += weight[r] > 0;
  records_.assign(record_count_ * stride_ / 4, 0);
  std::size_t at = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (weight[r] == 0) continue;
    std::uint8_t* rec = Record(at++);
    const auto row = static_cast<std::uint32_t>(r);
    const auto cls = static_cast<std::uint16_t>(codes[r]);
    std::memcpy(rec, &row, 4);
    std::memcpy(rec + 4, &cls, 2);
    std::memcpy(rec + 6, &weight[r], 2);
    std::memcpy(rec + 8, data_.row_bins(r), features_);
  }
}

// Class weights of the node's records into totals_.
void Grower::SumRecordClasses(std::size_t begin, std::size_t end) {
  std::fill(totals_.begin(), totals_.end(), 0.0);
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t* rec = Record(i);
    totals_[RecordClass(rec)] += RecordWeight(rec);
  }
}

bool Grower::IsLeaf(std::size_t n, int depth) const {
  if (n < static_cast<std::size_t>(params_.min_samples_split) ||
      n < 2 * static_cast<std::size_t>(params_.min_samples_leaf)) {
    return true;
  }
  if (params_.max_depth > 0 && depth >= params_.max_depth) return true;
  int present = 0;
  for (double t : totals_) present += t > 0;
  return present <= 1;
}

std::int32_t Grower::AddLeaf() {
  double w = 0.0;
  for (double t : totals_) w += t;
  for (int k = 0; k < classes_; ++k) fractions_[k] = static_cast<float>(totals_[k] / w);
  return tree_.AddLeaf(fractions_.data());
}

std::int32_t Grower::AddSplitNode(const Split& split) {
  if (split.categorical) {
    return tree_.AddCategoricalSplit(split.feature, category_set_, split.default_left);
  }
  return tree_.AddSplit(split.feature, split.threshold, split.default_left);
}

void Grower::SumLeftClasses(const Split& split, const std::uint32_t* hist) {
  if (classes_ == 2 && width_ == 2 && !split.categorical && !split.default_left) {
    // The common case in two running sums (the general loop below costs twice as much).
    double l0 = 0.0, l1 = 0.0;
    for (int b = 0; b <= split.bin; ++b) {
      l0 += hist[2 * b];
      l1 += hist[2 * b + 1];
    }
    left_[0] = l0;
    left_[1] = l1;
    return;
  }
  std::fill(left_.begin(), left_.end(), 0.0);
  auto add = [&](int b) {
    for (int k = 0; k < classes_; ++k) left_[k] += hist[b * width_ + k];
  };
  if (split.categorical) {
    for (int b = 0; b < data_.value_bins(split.feature); ++b) {
      if (category_set_[b / 32] >> (b % 32) & 1u) add(b);
    }
  } else {
    for (int b = 0; b <= split.bin; ++b) add(b);
  }
  if (split.default_left) add(ForestBins::kMissingBin);
}

template <typename GoesLeft>
std::size_t Grower::PartitionRecordsBy(std::size_t begin, std::size_t end, GoesLeft goes_left) {
  const std::size_t words = stride_ / 4;
  std::size_t i = begin, j = end;
  while (true) {
    while (i < j && goes_left(Record(i))) ++i;
    while (i < j && !goes_left(Record(j - 1))) --j;
    if (i + 1 >= j) break;
    // Word by word: records are a few words long and a libc memcpy per record costs more.
    std::uint32_t* a = RecordWords(i);
    std::uint32_t* b = RecordWords(j - 1);
    for (std::size_t k = 0; k < words; ++k) std::swap(a[k], b[k]);
    ++i;
    --j;
  }
  return i;
}

std::size_t Grower::PartitionRecords(std::size_t begin, std::size_t end, const Split& split) {
  const int at = 8 + split.feature;
  if (split.categorical) {
    std::array<std::uint8_t, kMaxBins> left{};
    for (int b = 0; b < kMaxBins; ++b) left[b] = category_set_[b / 32] >> (b % 32) & 1u;
    left[ForestBins::kMissingBin] = split.default_left ? 1 : 0;
    return PartitionRecordsBy(begin, end,
                              [&left, at](const std::uint8_t* r) { return left[r[at]] != 0; });
  }
  const int limit = split.bin;  // at most 254: the missing bin (255) is above it
  if (split.default_left) {
    // The missing bin wraps to 0 and goes left too.
    return PartitionRecordsBy(begin, end, [at, limit](const std::uint8_t* r) {
      return static_cast<std::uint8_t>(r[at] + 1) <= limit + 1;
    });
  }
  return PartitionRecordsBy(begin, end,
                            [at, limit](const std::uint8_t* r) { return r[at] <= limit; });
}

}  // namespace scaleml::forest_growth
