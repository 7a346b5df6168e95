// One fitted classification tree in compact form. Nodes are stored in depth-first pre-order, so a
// split node's left child is the next node and only the right child's index is kept: 12 bytes a
// node. A leaf keeps the index of its class distribution (fractions of the weighted rows that
// reached it, as scikit-learn's predict_proba) in a flat leaf table.
// A numeric split sends x <= threshold left, a categorical split the bins of its left set
// (ForestBins.h: a tree sees a categorical feature as its bin, 0..254, NaN when missing); both
// send NaN, and a categorical split also the bins that no training row of the node had, in the
// node's default direction, learnt from the missing rows (or the larger side when it had none).
// A categorical split's set is two 256-bit bitsets in the tree's set table: the left bins, and
// the bins its rows had. The kind of a split and its default direction are flag bits of its
// feature number, so a numeric split that sends missing values right (every split of numeric
// data without NaN) is a plain node, walked as before there were flags.
// Thread-safety: a built tree is read-only; prediction may run from any number of threads.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "algo/BinaryIO.h"

namespace scaleml {

struct TreeNode {
  static constexpr std::int32_t kDefaultLeft = 1 << 30;
  static constexpr std::int32_t kCategorical = 1 << 29;
  static constexpr std::int32_t kFeatureMask = kCategorical - 1;

  // Numeric split: x[feature] <= threshold goes left. Categorical split: the bits of its set's
  // index in the set table (a small integer: a denormal float, never NaN).
  float threshold;
  // -1 for a leaf; a split: its feature's number | kDefaultLeft | kCategorical.
  std::int32_t feature;
  std::int32_t target;  // split: the right child's index; leaf: its row in the leaf table

  bool is_leaf() const { return feature < 0; }
  int feature_index() const { return feature & kFeatureMask; }
  bool default_left() const { return (feature & kDefaultLeft) != 0; }
  bool categorical() const { return (feature & kCategorical) != 0; }
  std::uint32_t set_index() const {
    std::uint32_t index;
    std::memcpy(&index, &threshold, 4);
    return index;
  }
};
static_assert(sizeof(TreeNode) == 12);

class DecisionTree {
 public:
  // Words of a categorical split's set: the left bins, then the bins its rows had.
  static constexpr std::size_t kSetWords = 16;
  using CategorySet = std::array<std::uint32_t, kSetWords>;

  DecisionTree() = default;
  explicit DecisionTree(int classes) : classes_(classes) {}

  int classes() const { return classes_; }
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t leaf_count() const { return classes_ == 0 ? 0 : leaf_values_.size() / classes_; }
  const std::vector<TreeNode>& nodes() const { return nodes_; }
  const std::vector<float>& leaf_values() const { return leaf_values_; }
  const std::vector<std::uint32_t>& category_sets() const { return category_sets_; }

  // Building, in pre-order. AddLeaf copies `classes()` fractions.
  std::int32_t AddSplit(std::int32_t feature, float threshold, bool default_left = false);
  std::int32_t AddCategoricalSplit(std::int32_t feature, const CategorySet& set, bool default_left);
  std::int32_t AddLeaf(const float* fractions);
  void SetRightChild(std::int32_t split, std::int32_t right) { nodes_[split].target = right; }
  // The next node's index.
  std::int32_t next_index() const { return static_cast<std::int32_t>(nodes_.size()); }

  // The class fractions of the leaf that `row` (all features of one row) reaches.
  // Categorical features are given as ForestBins::CategoryValue (their bin).
  const float* LeafFractions(const float* row) const {
    std::int32_t i = 0;
    while (nodes_[i].feature >= 0) {
      const TreeNode& node = nodes_[i];
      if (node.feature <= TreeNode::kFeatureMask) [[likely]] {  // numeric, missing right
        i = row[node.feature] <= node.threshold ? i + 1 : node.target;
      } else {
        i = FlaggedGoesLeft(node, row[node.feature_index()]) ? i + 1 : node.target;
      }
    }
    return leaf_values_.data() + static_cast<std::size_t>(nodes_[i].target) * classes_;
  }

  // LeafFractions of `count` rows, row r's features at rows + r * stride, into out[r]. Groups
  // of rows walk the tree in lockstep, so that their cache misses on a deep tree overlap instead
  // of following one another; each row reaches the leaf LeafFractions gives.
  void LeafFractionsOfRows(const float* rows, std::size_t count, std::size_t stride,
                           const float** out) const;

  void Save(BinaryWriter& out) const;
  // Reads a tree and checks that every index is in range and every path ends in a leaf, so a
  // corrupt file cannot make prediction read out of bounds or loop.
  static DecisionTree Load(BinaryReader& in, int classes, int features);

 private:
  int classes_ = 0;
  std::vector<TreeNode> nodes_;
  std::vector<float> leaf_values_;
  std::vector<std::uint32_t> category_sets_;  // kSetWords per categorical split

  // A categorical split, or a numeric one that sends missing values left.
  bool FlaggedGoesLeft(const TreeNode& node, float x) const {
    if (!node.categorical()) return x <= node.threshold || std::isnan(x);
    if (!(x >= 0.f && x < 256.f)) return node.default_left();  // NaN: missing
    const auto bin = static_cast<std::uint32_t>(x);
    const std::uint32_t* set = category_sets_.data() + node.set_index() * kSetWords;
    const std::uint32_t word = bin / 32, bit = 1u << (bin % 32);
    if ((set[kSetWords / 2 + word] & bit) == 0) return node.default_left();  // unseen here
    return (set[word] & bit) != 0;
  }
};

}  // namespace scaleml
