#include "algo/gbdt/Tree.h"

#include <algorithm>

#include "core/Error.h"

namespace scaleml {

Tree::Tree() : leaf_value_(1, 0.0), leaf_parent_(1, -1) {}

int Tree::Split(int leaf, int feature, int threshold_bin, float threshold) {
  const int node = internal_nodes();
  const int new_leaf = leaves();
  const int parent = leaf_parent_[leaf];
  if (parent >= 0) {
    if (left_[parent] == ~leaf) {
      left_[parent] = node;
    } else {
      right_[parent] = node;
    }
  }
  split_feature_.push_back(feature);
  threshold_.push_back(threshold);
  threshold_bin_.push_back(static_cast<std::uint8_t>(threshold_bin));
  left_.push_back(~leaf);
  right_.push_back(~new_leaf);
  leaf_value_.push_back(0.0);
  leaf_parent_[leaf] = node;
  leaf_parent_.push_back(node);
  return new_leaf;
}

int Tree::Depth() const {
  // Children have larger indices than parents, so one backward pass finds every node's height.
  std::vector<int> height(split_feature_.size(), 1);
  for (int node = internal_nodes() - 1; node >= 0; --node) {
    for (std::int32_t child : {left_[node], right_[node]}) {
      if (child >= 0) height[node] = std::max(height[node], height[child] + 1);
    }
  }
  return internal_nodes() == 0 ? 0 : height[0];
}

void Tree::Shrink(double factor) {
  for (auto& value : leaf_value_) value *= factor;
}

bool Tree::operator==(const Tree& other) const {
  return split_feature_ == other.split_feature_ && threshold_ == other.threshold_ &&
         threshold_bin_ == other.threshold_bin_ && left_ == other.left_ && right_ == other.right_ &&
         leaf_value_ == other.leaf_value_;
}

void Tree::Save(BinaryWriter& out) const {
  out.PutVector(split_feature_);
  out.PutVector(threshold_);
  out.PutVector(threshold_bin_);
  out.PutVector(left_);
  out.PutVector(right_);
  out.PutVector(leaf_value_);
}

Tree Tree::Load(BinaryReader& in, int num_features) {
  Tree tree;
  tree.split_feature_ = in.GetVector<std::int32_t>();
  const std::size_t nodes = tree.split_feature_.size();
  tree.threshold_ = in.GetVector<float>(nodes);
  tree.threshold_bin_ = in.GetVector<std::uint8_t>(nodes);
  tree.left_ = in.GetVector<std::int32_t>(nodes);
  tree.right_ = in.GetVector<std::int32_t>(nodes);
  tree.leaf_value_ = in.GetVector<double>(nodes + 1);
  if (tree.threshold_.size() != nodes || tree.threshold_bin_.size() != nodes ||
      tree.left_.size() != nodes || tree.right_.size() != nodes ||
      tree.leaf_value_.size() != nodes + 1) {
    throw in.Corrupt("a tree's arrays disagree in size");
  }
  const int leaves = static_cast<int>(nodes) + 1;
  std::vector<int> leaf_seen(leaves, 0);
  for (std::size_t node = 0; node < nodes; ++node) {
    if (tree.split_feature_[node] < 0 || tree.split_feature_[node] >= num_features) {
      throw in.Corrupt(StrCat("tree node ", node, " splits on feature ", tree.split_feature_[node],
                              " of ", num_features));
    }
    if (std::isnan(tree.threshold_[node])) throw in.Corrupt("a tree threshold is NaN");
    for (std::int32_t child : {tree.left_[node], tree.right_[node]}) {
      bool ok = child >= 0 ? (child > static_cast<int>(node) && child < static_cast<int>(nodes))
                           : (~child < leaves && leaf_seen[~child]++ == 0);
      if (!ok) throw in.Corrupt(StrCat("tree node ", node, " has a bad child ", child));
    }
  }
  for (double value : tree.leaf_value_) {
    if (!std::isfinite(value)) throw in.Corrupt("a leaf value is not finite");
  }
  // leaf_parent_ is only needed while growing; a loaded tree is final.
  tree.leaf_parent_.assign(leaves, -1);
  return tree;
}

}  // namespace scaleml
