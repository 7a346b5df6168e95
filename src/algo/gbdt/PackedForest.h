// The trees of a gbdt model flattened for prediction: nodes of 16 bytes, contiguous, and each
// tree's depth, so that a group of rows can walk a tree in lockstep with branch-free steps.
// GbdtClassifier builds it once per model (after Fit or LoadModel, on the first prediction) and
// keeps it: packing 100 trees costs more than predicting one row.
// Thread-safety: immutable once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
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

// The packed forest a model keeps, built on first use and shared by concurrent predictions. A
// copied or moved model starts with an empty cache (packed again on its first prediction).
// The tree count guards against a forest changed since it was packed (a Fit under way).
class PackedForestCache {
 public:
  PackedForestCache() = default;
  PackedForestCache(const PackedForestCache&) {}
  PackedForestCache& operator=(const PackedForestCache&) {
    Drop();
    return *this;
  }

  std::shared_ptr<const PackedForest> Get(const std::vector<Tree>& trees) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (packed_ == nullptr || packed_->trees() != trees.size()) {
      packed_ = std::make_shared<const PackedForest>(trees);
    }
    return packed_;
  }
  void Drop() {
    std::lock_guard<std::mutex> lock(mutex_);
    packed_.reset();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const PackedForest> packed_;
};

}  // namespace scaleml
