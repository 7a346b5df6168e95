// One regression tree in LightGBM's compact layout: internal nodes 0..leaves-2 hold a split
// (feature, threshold), a child is either an internal node (>= 0) or a leaf (~leaf < 0), and
// leaf values are the tree's output. A row goes left when its value is <= the threshold or NaN
// (NaN sits in bin 0, see QuantileBins), which on binned rows is "bin <= threshold_bin".
// Children always have larger indices than their parent, which Load checks, so every walk ends.
// Thread-safety: const methods are safe from any thread; Split and Load need exclusive access.
#pragma once

#include <cmath>
#include <cstdint>
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
  int Split(int leaf, int feature, int threshold_bin, float threshold);
  void set_leaf_value(int leaf, double value) { leaf_value_[leaf] = value; }
  double leaf_value(int leaf) const { return leaf_value_[leaf]; }
  // Multiplies every leaf value by `factor` (the learning rate).
  void Shrink(double factor);

  int split_feature(int node) const { return split_feature_[node]; }
  float threshold(int node) const { return threshold_[node]; }
  int threshold_bin(int node) const { return threshold_bin_[node]; }
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
      float v = value(split_feature_[node]);
      node = (v <= threshold_[node] || std::isnan(v)) ? left_[node] : right_[node];
    }
    return ~node;
  }
  // The leaf a binned row reaches; `bin(feature)` gives the row's bin.
  template <class BinOf>
  int LeafOfBinned(BinOf bin) const {
    if (split_feature_.empty()) return 0;
    int node = 0;
    while (node >= 0) {
      node = bin(split_feature_[node]) <= threshold_bin_[node] ? left_[node] : right_[node];
    }
    return ~node;
  }

  void Save(BinaryWriter& out) const;
  // Reads a tree written by Save; a corrupt one (bad child, feature or value) is an input error.
  static Tree Load(BinaryReader& in, int num_features);

  // Same structure, thresholds and leaf values (growth bookkeeping aside).
  bool operator==(const Tree& other) const;

 private:
  std::vector<std::int32_t> split_feature_;
  std::vector<float> threshold_;
  std::vector<std::uint8_t> threshold_bin_;
  std::vector<std::int32_t> left_;
  std::vector<std::int32_t> right_;
  std::vector<double> leaf_value_;
  std::vector<std::int32_t> leaf_parent_;  // internal node above each leaf; -1 for the root leaf
};

}  // namespace scaleml
