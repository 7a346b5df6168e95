// One tree's growth (TreeBuilder.h), in stages that each live in their own file:
// - Grower.cc: the records of the tree's rows, the node loop and the partition of records;
// - GrowerHistogram.cc: class histograms of the prebinned features and their scans (large nodes);
// - GrowerExact.cc: the exact stage, splits on raw values in a cache-sized buffer (small nodes);
// - GrowerCategorical.cc: subset splits of categorical features, in both stages.
// Missing values: a numeric split tries the node's missing rows on each side of every cut (and
// the cut "present left, missing right"); the better side is the node's default direction. A
// node without missing rows keeps the plain scans, so numeric data without NaN grows the same
// trees as before missing values were learnt.
// Internal to the forest; Thread-safety: one Grower per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/DecisionTree.h"
#include "algo/forest/ForestParams.h"
#include "algo/forest/SplitSearch.h"

namespace scaleml::forest_growth {

// One tree's growth: its rows, scratch space and random stream.
class Grower {
 public:
  // How a feature is scanned: numeric data without NaN takes the scans of old, unchanged.
  enum class ScanKind : std::uint8_t { kPlain, kMissing, kCategorical };

  Grower(const BinnedFeatures& data, std::span<const std::int32_t> codes,
         std::span<const std::uint16_t> weights, int classes, const ForestParams& params,
         std::uint64_t seed, std::uint64_t tree_number)
      : data_(data),
        classes_(classes),
        params_(params),
        features_(data.features()),
        stride_((8 + data.features() + 3) & ~std::size_t{3}),
        per_split_(params.FeaturesPerSplit(data.features())),
        row_counts_(params.min_samples_leaf > 1),
        two_class_gini_(classes == 2 && !row_counts_ &&
                        params.criterion != SplitCriterion::kEntropy),
        width_(classes + (row_counts_ ? 1 : 0)),
        rng_(seed, tree_number),
        draw_(data.features(), rng_),
        score_(params.criterion == SplitCriterion::kEntropy, classes),
        tree_(classes),
        totals_(classes),
        left_(classes),
        missing_(classes),
        with_missing_(classes),
        fractions_(classes) {
    kinds_.resize(features_);
    for (int f = 0; f < features_; ++f) {
      kinds_[f] = data.bins().IsCategorical(f) ? ScanKind::kCategorical
                  : data.has_missing(f)        ? ScanKind::kMissing
                                               : ScanKind::kPlain;
      if (kinds_[f] == ScanKind::kCategorical) categorical_features_.push_back(f);
    }
    MakeRecords(codes, weights);
  }

  DecisionTree Grow();

 private:
  // A record: row index (uint32), class (uint16), bootstrap weight (uint16), then the bins.
  std::uint32_t RecordRow(const std::uint8_t* r) const {
    std::uint32_t row;
    std::memcpy(&row, r, 4);
    return row;
  }
  static std::uint16_t RecordClass(const std::uint8_t* r) {
    std::uint16_t c;
    std::memcpy(&c, r + 4, 2);
    return c;
  }
  static std::uint16_t RecordWeight(const std::uint8_t* r) {
    std::uint16_t w;
    std::memcpy(&w, r + 6, 2);
    return w;
  }
  // Records live in 32-bit words (so they can be swapped a word at a time) and are read bytewise.
  std::uint8_t* Record(std::size_t i) {
    return reinterpret_cast<std::uint8_t*>(records_.data()) + i * stride_;
  }
  std::uint32_t* RecordWords(std::size_t i) { return records_.data() + i * (stride_ / 4); }

  void MakeRecords(std::span<const std::int32_t> codes, std::span<const std::uint16_t> weight);
  // Class weights of the node's records into totals_.
  void SumRecordClasses(std::size_t begin, std::size_t end);
  bool IsLeaf(std::size_t n, int depth) const;
  std::int32_t AddLeaf();
  void Link(std::int32_t parent, std::int32_t node) {
    if (parent >= 0) tree_.SetRightChild(parent, node);
  }
  double TotalWeight() const {
    double w = 0.0;
    for (double t : totals_) w += t;
    return w;
  }
  std::size_t PartitionRecords(std::size_t begin, std::size_t end, const Split& split);
  template <typename GoesLeft>
  std::size_t PartitionRecordsBy(std::size_t begin, std::size_t end, GoesLeft goes_left);
  std::int32_t AddSplitNode(const Split& split);
  // The left child's class weights into left_, from the split feature's histogram.
  void SumLeftClasses(const Split& split, const std::uint32_t* hist);
  // Whether a split leaves enough rows on each side (only min_samples_leaf > 1 needs counts).
  bool Admissible(std::size_t left_rows, std::size_t right_rows) const {
    return !row_counts_ || (left_rows >= static_cast<std::size_t>(params_.min_samples_leaf) &&
                            right_rows >= static_cast<std::size_t>(params_.min_samples_leaf));
  }

  // Histogram stage (GrowerHistogram.cc).
  std::uint32_t* SlotHistogram(int slot) {
    return hist_.data() + static_cast<std::size_t>(slot) * kMaxBins * width_;
  }
  void BuildHistograms(std::size_t begin, std::size_t end, const int* features, int count,
                       int first);
  template <int Count>
  void BuildTwoClassHistograms(std::size_t begin, std::size_t end, const int* features,
                               std::uint32_t* const* hists);
  bool ScanHistogram(int feature, int slot, std::size_t n, double w, Split* best);
  bool ScanTwoClassGini(int feature, int slot, double w, Split* best);
  Split FindHistogramSplit(std::size_t begin, std::size_t end);
  // The best split of one drawn feature into *best; false if it cannot split the node.
  bool ScanFeature(int feature, int slot, std::size_t n, double w, Split* best);
  bool HasMissing(const std::uint32_t* hist) const {
    const std::uint32_t* cell = hist + ForestBins::kMissingBin * width_;
    std::uint32_t any = 0;
    for (int k = 0; k < classes_; ++k) any |= cell[k];
    return any != 0;
  }
  // The missing bin's class weights into missing_; returns their weight and row count.
  std::pair<double, std::size_t> LoadMissing(const std::uint32_t* hist);
  bool ScanWithMissing(int feature, int slot, const std::uint32_t* hist, std::size_t n, double w,
                       Split* best);
  // Categorical (GrowerCategorical.cc): the node's bins in order_, the scan of their prefixes
  // and the best one's category set.
  struct CategoryCut {
    std::size_t prefix;  // order_[0..prefix] go left
    bool missing_left;
    double left_weight;
  };
  void OrderCategoryBins(int feature, const std::uint32_t* hist);
  bool ScanCategorical(int feature, int slot, const std::uint32_t* hist, std::size_t n, double w,
                       Split* best);
  void TakeCategoryCut(int feature, int slot, const CategoryCut& cut, bool had_missing, double w,
                       Split* best);

  // Exact stage (GrowerExact.cc).
  void GrowExact(const Task& root);
  void LoadExactRows(const Task& root);
  // A key whose unsigned order is the value's order (NaN, made positive, after +inf), with the
  // class and weight in its low bits.
  static std::uint64_t SortKey(float value, std::uint16_t cls, std::uint16_t weight) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
    return (std::uint64_t{bits} << 32) | (std::uint32_t{cls} << 16) | weight;
  }
  static Item KeyItem(std::uint64_t key) {
    auto bits = static_cast<std::uint32_t>(key >> 32);
    bits = (bits & 0x80000000u) ? bits & 0x7fffffffu : ~bits;
    float value;
    std::memcpy(&value, &bits, 4);
    return {value, static_cast<std::uint16_t>(key >> 16), static_cast<std::uint16_t>(key)};
  }
  bool ScanValues(int feature, std::size_t begin, std::size_t end, double w, Split* best);
  bool ScanTwoClassGiniKeys(int feature, double w, Split* best);
  bool ScanValuesWithMissing(int feature, double w, Split* best);
  bool ScanCategoricalValues(int feature, std::size_t begin, std::size_t end, double w,
                             Split* best);
  Split FindExactSplit(std::size_t begin, std::size_t end);
  std::size_t PartitionValues(std::size_t begin, std::size_t end, const Split& split);
  template <typename GoesLeft>
  std::size_t PartitionValuesBy(std::size_t begin, std::size_t end, GoesLeft goes_left);

  const BinnedFeatures& data_;
  int classes_;
  const ForestParams& params_;
  int features_;
  std::size_t stride_;
  int per_split_;
  bool row_counts_;      // histograms count rows too (only min_samples_leaf needs them)
  bool two_class_gini_;  // the common case, with its own histogram scan
  int width_;            // cells per histogram bin
  Rng rng_;
  FeatureDraw draw_;
  SplitScore score_;
  DecisionTree tree_;
  std::vector<std::uint32_t> records_;
  std::size_t record_count_ = 0;
  std::vector<std::uint32_t> hist_;
  std::vector<int> batch_;  // features drawn for the node, in order; slot = position
  std::vector<double> bin_weight_;
  // Exact stage: the subtree's rows (raw values row-major, class, weight) and a sort buffer.
  std::vector<float> values_;
  std::vector<std::uint16_t> classes_of_, weights_of_;
  std::vector<Item> items_;
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> exact_hist_;  // a categorical feature's histogram in the exact stage
  std::vector<double> totals_, left_;
  std::vector<double> missing_, with_missing_;  // the missing rows' class weights; left_ + them
  std::vector<std::pair<double, int>> order_;   // categorical: (class statistic, bin)
  std::vector<ScanKind> kinds_;                 // per feature
  std::vector<int> categorical_features_;
  // The best categorical split's set while a node is searched, until the node is split.
  DecisionTree::CategorySet category_set_{};
  std::vector<float> fractions_;
};

}  // namespace scaleml::forest_growth
