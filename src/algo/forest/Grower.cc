// The node loop of a tree's growth and the records it partitions (Grower.h).

#include <algorithm>
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
    const std::int32_t node = tree_.AddSplit(split.feature, split.threshold);
    Link(task.parent, node);
    const std::size_t mid = PartitionRecords(task.begin, task.end, split);
    // Left child's class weights: the split feature's bins up to the split.
    const std::uint32_t* hist = SlotHistogram(split.slot);
    std::fill(left_.begin(), left_.end(), 0.0);
    for (int b = 0; b <= split.bin; ++b) {
      for (int k = 0; k < classes_; ++k) left_[k] += hist[b * width_ + k];
    }
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

std::size_t Grower::PartitionRecords(std::size_t begin, std::size_t end, const Split& split) {
  const int f = split.feature;
  const std::uint8_t limit = static_cast<std::uint8_t>(split.bin);
  const std::size_t words = stride_ / 4;
  std::size_t i = begin, j = end;
  while (true) {
    while (i < j && Record(i)[8 + f] <= limit) ++i;
    while (i < j && Record(j - 1)[8 + f] > limit) --j;
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

}  // namespace scaleml::forest_growth
