// One fitted classification tree in compact form. Nodes are stored in depth-first pre-order, so a
// split node's left child is the next node and only the right child's index is kept: 12 bytes a
// node. A leaf keeps the index of its class distribution (fractions of the weighted rows that
// reached it, as scikit-learn's predict_proba) in a flat leaf table.
// Thread-safety: a built tree is read-only; prediction may run from any number of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "algo/BinaryIO.h"

namespace scaleml {

struct TreeNode {
  float threshold;       // split: x[feature] <= threshold goes left
  std::int32_t feature;  // -1 for a leaf
  std::int32_t target;   // split: the right child's index; leaf: its row in the leaf table
};
static_assert(sizeof(TreeNode) == 12);

class DecisionTree {
 public:
  DecisionTree() = default;
  explicit DecisionTree(int classes) : classes_(classes) {}

  int classes() const { return classes_; }
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t leaf_count() const { return classes_ == 0 ? 0 : leaf_values_.size() / classes_; }
  const std::vector<TreeNode>& nodes() const { return nodes_; }
  const std::vector<float>& leaf_values() const { return leaf_values_; }

  // Building, in pre-order. AddLeaf copies `classes()` fractions.
  std::int32_t AddSplit(std::int32_t feature, float threshold);
  std::int32_t AddLeaf(const float* fractions);
  void SetRightChild(std::int32_t split, std::int32_t right) { nodes_[split].target = right; }
  // The next node's index.
  std::int32_t next_index() const { return static_cast<std::int32_t>(nodes_.size()); }

  // The class fractions of the leaf that `row` (all features of one row) reaches.
  const float* LeafFractions(const float* row) const {
    std::int32_t i = 0;
    while (nodes_[i].feature >= 0) {
      const TreeNode& node = nodes_[i];
      i = row[node.feature] <= node.threshold ? i + 1 : node.target;
    }
    return leaf_values_.data() + static_cast<std::size_t>(nodes_[i].target) * classes_;
  }

  void Save(BinaryWriter& out) const;
  // Reads a tree and checks that every index is in range and every path ends in a leaf, so a
  // corrupt file cannot make prediction read out of bounds or loop.
  static DecisionTree Load(BinaryReader& in, int classes, int features);

 private:
  int classes_ = 0;
  std::vector<TreeNode> nodes_;
  std::vector<float> leaf_values_;
};

}  // namespace scaleml
