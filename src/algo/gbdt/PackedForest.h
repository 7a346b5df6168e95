// The trees of a gbdt model flattened for prediction: nodes of 16 bytes, contiguous, and each
// tree's depth, so that a group of rows can walk a tree in lockstep with branch-free steps.
// GbdtClassifier builds it once per model (after Fit or LoadModel, on the first prediction) and
// keeps it: packing 100 trees costs more than predicting one row.
// Thread-safety: immutable once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algo/gbdt/Tree.h"

namespace scaleml {

struct PackedForest {
  struct Node {
    std::int32_t feature;
    float threshold;
    std::int32_t left;
    std::int32_t right;
  };
  std::vector<Node> nodes;
  std::vector<double> leaf_values;
  std::vector<std::size_t> node_begin, leaf_begin;
  std::vector<int> depth;
  std::vector<std::uint8_t> nan_always_left;  // the tree walks as "!(v > threshold)"

  explicit PackedForest(const std::vector<Tree>& trees) {
    for (const Tree& tree : trees) {
      node_begin.push_back(nodes.size());
      leaf_begin.push_back(leaf_values.size());
      for (int n = 0; n < tree.internal_nodes(); ++n) {
        nodes.push_back(
            {tree.split_feature(n), tree.threshold(n), tree.left_child(n), tree.right_child(n)});
      }
      for (int l = 0; l < tree.leaves(); ++l) leaf_values.push_back(tree.leaf_value(l));
      depth.push_back(tree.Depth());
      nan_always_left.push_back(tree.NanAlwaysLeft() ? 1 : 0);
    }
  }
  std::size_t trees() const { return depth.size(); }
};

}  // namespace scaleml
