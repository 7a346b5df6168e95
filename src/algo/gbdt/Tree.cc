#include "algo/gbdt/Tree.h"

#include <algorithm>

#include "core/Error.h"

namespace scaleml {

Tree::Tree() : leaf_value_(1, 0.0), leaf_parent_(1, -1) {}

int Tree::AddNode(int leaf, int feature, float threshold, int threshold_bin,
                  std::uint8_t decision) {
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
  decision_.push_back(decision);
  left_.push_back(~leaf);
  right_.push_back(~new_leaf);
  leaf_value_.push_back(0.0);
  leaf_parent_[leaf] = node;
  leaf_parent_.push_back(node);
  return new_leaf;
}

int Tree::SplitNumeric(int leaf, int feature, int threshold_bin, float threshold, bool missing_bin,
                       bool default_left) {
  const auto decision = static_cast<std::uint8_t>((default_left ? kDefaultLeft : 0) |
                                                  (missing_bin ? kMissingBin : 0));
  return AddNode(leaf, feature, threshold, threshold_bin, decision);
}

int Tree::SplitCategorical(int leaf, int feature, const std::array<std::uint64_t, 4>& left_bins,
                           std::span<const std::int32_t> left_codes) {
  const auto index = static_cast<float>(cat_boundaries_.size() - 1);
  std::int32_t max_code = 0;
  for (std::int32_t code : left_codes) max_code = std::max(max_code, code);
  const std::size_t begin = cat_codes_.size();
  cat_codes_.resize(begin + static_cast<std::size_t>(max_code) / 32 + 1, 0);
  for (std::int32_t code : left_codes) {
    cat_codes_[begin + static_cast<std::size_t>(code) / 32] |= 1u << (code % 32);
  }
  cat_boundaries_.push_back(static_cast<std::uint32_t>(cat_codes_.size()));
  cat_bins_.insert(cat_bins_.end(), left_bins.begin(), left_bins.end());
  return AddNode(leaf, feature, index, 0, kCategorical);
}

bool Tree::NanAlwaysLeft() const {
  return std::all_of(decision_.begin(), decision_.end(),
                     [](std::uint8_t d) { return (d & kCategorical) == 0 && (d & kDefaultLeft); });
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
         leaf_value_ == other.leaf_value_ && decision_ == other.decision_ &&
         cat_boundaries_ == other.cat_boundaries_ && cat_codes_ == other.cat_codes_ &&
         cat_bins_ == other.cat_bins_;
}

void Tree::Save(BinaryWriter& out) const {
  out.PutVector(split_feature_);
  out.PutVector(threshold_);
  out.PutVector(threshold_bin_);
  out.PutVector(left_);
  out.PutVector(right_);
  out.PutVector(leaf_value_);
  out.PutVector(decision_);
  out.PutVector(cat_boundaries_);
  out.PutVector(cat_codes_);
  out.PutVector(cat_bins_);
}

void Tree::LoadDecisions(BinaryReader& in) {
  const std::size_t nodes = split_feature_.size();
  decision_ = in.GetVector<std::uint8_t>(nodes);
  if (decision_.size() != nodes) throw in.Corrupt("a tree's decisions disagree in size");
  cat_boundaries_ = in.GetVector<std::uint32_t>(nodes + 1);
  cat_codes_ = in.GetVector<std::uint32_t>();
  const std::size_t categorical = cat_boundaries_.empty() ? 0 : cat_boundaries_.size() - 1;
  cat_bins_ = in.GetVector<std::uint64_t>(4 * categorical);
  if (cat_boundaries_.empty() || cat_boundaries_[0] != 0 ||
      cat_boundaries_.back() != cat_codes_.size() || cat_bins_.size() != 4 * categorical ||
      !std::is_sorted(cat_boundaries_.begin(), cat_boundaries_.end())) {
    throw in.Corrupt("a tree's category sets are inconsistent");
  }
  std::size_t seen = 0;
  for (std::size_t node = 0; node < nodes; ++node) {
    if (decision_[node] > (kDefaultLeft | kCategorical | kMissingBin)) {
      throw in.Corrupt(StrCat("tree node ", node, " has an unknown decision"));
    }
    if (decision_[node] & kCategorical) {
      // Categorical nodes are numbered in node order.
      if (threshold_[node] != static_cast<float>(seen++)) {
        throw in.Corrupt(StrCat("tree node ", node, " has a bad category set"));
      }
    }
  }
  if (seen != categorical) throw in.Corrupt("a tree's category sets are not all used");
}

Tree Tree::Load(BinaryReader& in, int num_features, std::uint32_t version) {
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
  if (version >= 2) {
    tree.LoadDecisions(in);
  } else {
    tree.decision_.assign(nodes, kDefaultLeft);
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
