// One regression tree in LightGBM's compact layout: internal nodes 0..leaves-2 hold a split
// (feature, threshold), a child is either an internal node (>= 0) or a leaf (~leaf < 0), and
// leaf values are the tree's output. Two kinds of split (LightGBM's decision_type):
// - numeric: a row goes left when its value is <= the threshold; NaN goes left when the node is
//   default_left (always for a feature without missing values in training, whose NaN would sit
//   in bin 0) and right otherwise. On binned rows: "bin <= threshold_bin", and when the feature
//   has a missing bin (FeatureBins), bin 0 goes where default_left says.
// - categorical: a row goes left when its category code is in the node's set of codes (a bitset
//   over codes, as LightGBM's cat_threshold); NaN, codes beyond the bitset and codes not in it go
//   right. On binned rows: when its bin is in the node's set of bins. The threshold of such a
//   node is its index among the tree's categorical nodes.
// Children always have larger indices than their parent, which Load checks, so every walk ends.
// Thread-safety: const methods are safe from any thread; Split and Load need exclusive access.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/BinaryIO.h"

namespace scaleml {

class Tree {
 public:
  // A single leaf of value 0.
  Tree();

  int leaves() const { return static_cast<int>(leaf_value_.size()); }
  int internal_nodes() const { return static_cast<int>(split_feature_.size()); }

  // Turns leaf `leaf` into a split: its rows with bin <= threshold_bin (value <= threshold) stay
  // in leaf `leaf`, the others go to a new leaf, whose index is returned.
  int Split(int leaf, int feature, int threshold_bin, float threshold) {
    return SplitNumeric(leaf, feature, threshold_bin, threshold, false, true);
  }
  // The same where missing values learned a side: `missing_bin` says that the feature's bin 0
  // holds its missing values, which go left when `default_left`.
  int SplitNumeric(int leaf, int feature, int threshold_bin, float threshold, bool missing_bin,
                   bool default_left);
  // A categorical split: the rows whose bin is in `left_bins` (bits) and, on raw values, whose
  // code is in `left_codes`, stay in `leaf`.
  int SplitCategorical(int leaf, int feature, const std::array<std::uint64_t, 4>& left_bins,
                       std::span<const std::int32_t> left_codes);
  void set_leaf_value(int leaf, double value) { leaf_value_[leaf] = value; }
  double leaf_value(int leaf) const { return leaf_value_[leaf]; }
  // Multiplies every leaf value by `factor` (the learning rate).
  void Shrink(double factor);

  int split_feature(int node) const { return split_feature_[node]; }
  float threshold(int node) const { return threshold_[node]; }
  int threshold_bin(int node) const { return threshold_bin_[node]; }
  bool is_categorical(int node) const { return (decision_[node] & kCategorical) != 0; }
  bool default_left(int node) const { return (decision_[node] & kDefaultLeft) != 0; }
  // Whether every node is numeric and sends NaN left ("!(v > threshold)" walks it).
  bool NanAlwaysLeft() const;
  // Whether a categorical node sends the row of raw value `v` left.
  bool CategoryGoesLeft(int node, float v) const {
    const std::uint32_t index = static_cast<std::uint32_t>(threshold_[node]);
    const std::uint32_t begin = cat_boundaries_[index], words = cat_boundaries_[index + 1] - begin;
    if (!(v >= 0.0f) || v >= static_cast<float>(words) * 32.0f) return false;
    const auto code = static_cast<std::uint32_t>(v);
    return (cat_codes_[begin + code / 32] >> (code % 32)) & 1u;
  }
  // Whether node `node` sends a row of value `v` left.
  bool GoesLeft(int node, float v) const {
    if (decision_[node] & kCategorical) return CategoryGoesLeft(node, v);
    if (std::isnan(v)) return (decision_[node] & kDefaultLeft) != 0;
    return v <= threshold_[node];
  }
  // Whether node `node` sends a row of bin `bin` left.
  bool GoesLeftBinned(int node, int bin) const {
    const std::uint8_t d = decision_[node];
    if (d & kCategorical) {
      const std::uint64_t* set = cat_bins_.data() + 4 * static_cast<std::size_t>(threshold_[node]);
      return (set[bin >> 6] >> (bin & 63)) & 1;
    }
    if ((d & kMissingBin) && bin == 0) return (d & kDefaultLeft) != 0;
    return bin <= threshold_bin_[node];
  }
  // Children: an internal node (>= 0) or ~leaf.
  int left_child(int node) const { return left_[node]; }
  int right_child(int node) const { return right_[node]; }
  // Internal nodes on the longest path from the root to a leaf (0 for a single leaf).
  int Depth() const;

  // The leaf a row reaches; `value(feature)` gives the row's raw feature value.
  template <class ValueOf>
  int LeafOf(ValueOf value) const {
    if (split_feature_.empty()) return 0;
    int node = 0;
    while (node >= 0) {
      node = GoesLeft(node, value(split_feature_[node])) ? left_[node] : right_[node];
    }
    return ~node;
  }
  // The leaf a binned row reaches; `bin(feature)` gives the row's bin.
  template <class BinOf>
  int LeafOfBinned(BinOf bin) const {
    if (split_feature_.empty()) return 0;
    int node = 0;
    while (node >= 0) {
      node = GoesLeftBinned(node, bin(split_feature_[node])) ? left_[node] : right_[node];
    }
    return ~node;
  }

  // Version 2 of the model payload; version 1 had no decisions (every node numeric, NaN left).
  void Save(BinaryWriter& out) const;
  // Reads a tree written by Save of payload `version`; a corrupt one (bad child, feature, value
  // or category set) is an input error.
  static Tree Load(BinaryReader& in, int num_features, std::uint32_t version);

  // Same structure, thresholds and leaf values (growth bookkeeping aside).
  bool operator==(const Tree& other) const;

 private:
  static constexpr std::uint8_t kDefaultLeft = 1;
  static constexpr std::uint8_t kCategorical = 2;
  static constexpr std::uint8_t kMissingBin = 4;
  int AddNode(int leaf, int feature, float threshold, int threshold_bin, std::uint8_t decision);
  void LoadDecisions(BinaryReader& in);

  std::vector<std::int32_t> split_feature_;
  std::vector<float> threshold_;
  std::vector<std::uint8_t> threshold_bin_;
  std::vector<std::int32_t> left_;
  std::vector<std::int32_t> right_;
  std::vector<double> leaf_value_;
  std::vector<std::uint8_t> decision_;  // kDefaultLeft | kCategorical | kMissingBin
  // Categorical node i's codes: bits of cat_codes_[cat_boundaries_[i], cat_boundaries_[i + 1]).
  std::vector<std::uint32_t> cat_boundaries_{0};
  std::vector<std::uint32_t> cat_codes_;
  std::vector<std::uint64_t> cat_bins_;    // categorical node i's bins: bits of words 4i..4i+3
  std::vector<std::int32_t> leaf_parent_;  // internal node above each leaf; -1 for the root leaf
};

}  // namespace scaleml
