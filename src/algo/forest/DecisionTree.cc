#include "algo/forest/DecisionTree.h"

#include <cmath>
#include <cstring>

namespace scaleml {

std::int32_t DecisionTree::AddSplit(std::int32_t feature, float threshold, bool default_left) {
  nodes_.push_back({threshold, feature | (default_left ? TreeNode::kDefaultLeft : 0), -1});
  return static_cast<std::int32_t>(nodes_.size() - 1);
}

std::int32_t DecisionTree::AddCategoricalSplit(std::int32_t feature, const CategorySet& set,
                                               bool default_left) {
  const auto index = static_cast<std::uint32_t>(category_sets_.size() / kSetWords);
  category_sets_.insert(category_sets_.end(), set.begin(), set.end());
  float bits;
  std::memcpy(&bits, &index, 4);
  const std::int32_t flags = TreeNode::kCategorical | (default_left ? TreeNode::kDefaultLeft : 0);
  nodes_.push_back({bits, feature | flags, -1});
  return static_cast<std::int32_t>(nodes_.size() - 1);
}

void DecisionTree::LeafFractionsOfRows(const float* rows, std::size_t count, std::size_t stride,
                                       const float** out) const {
  constexpr std::size_t kLanes = 16;
  std::size_t r = 0;
  for (; r + kLanes <= count; r += kLanes) {
    std::int32_t at[kLanes] = {};
    const float* row[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) row[l] = rows + (r + l) * stride;
    bool moving = true;
    while (moving) {
      moving = false;
      for (std::size_t l = 0; l < kLanes; ++l) {
        const TreeNode& node = nodes_[at[l]];
        if (node.feature < 0) continue;  // at its leaf
        moving = true;
        if (node.feature <= TreeNode::kFeatureMask) [[likely]] {  // numeric, missing right
          at[l] = row[l][node.feature] <= node.threshold ? at[l] + 1 : node.target;
        } else {
          at[l] = FlaggedGoesLeft(node, row[l][node.feature_index()]) ? at[l] + 1 : node.target;
        }
      }
    }
    for (std::size_t l = 0; l < kLanes; ++l) {
      out[r + l] = leaf_values_.data() + static_cast<std::size_t>(nodes_[at[l]].target) * classes_;
    }
  }
  for (; r < count; ++r) out[r] = LeafFractions(rows + r * stride);
}

std::int32_t DecisionTree::AddLeaf(const float* fractions) {
  const auto leaf = static_cast<std::int32_t>(leaf_count());
  leaf_values_.insert(leaf_values_.end(), fractions, fractions + classes_);
  nodes_.push_back({0.0f, -1, leaf});
  return static_cast<std::int32_t>(nodes_.size() - 1);
}

void DecisionTree::Save(BinaryWriter& out) const {
  out.PutVector(nodes_);
  out.PutVector(leaf_values_);
  out.PutVector(category_sets_);
}

DecisionTree DecisionTree::Load(BinaryReader& in, int classes, int features) {
  DecisionTree tree(classes);
  tree.nodes_ = in.GetVector<TreeNode>();
  tree.leaf_values_ = in.GetVector<float>();
  tree.category_sets_ = in.GetVector<std::uint32_t>();
  const auto count = static_cast<std::int64_t>(tree.nodes_.size());
  if (count == 0) throw in.Corrupt("a tree without nodes");
  if (tree.leaf_values_.size() % classes != 0) throw in.Corrupt("a ragged leaf table");
  if (tree.category_sets_.size() % kSetWords != 0) throw in.Corrupt("a ragged set table");
  const auto sets = static_cast<std::uint32_t>(tree.category_sets_.size() / kSetWords);
  const auto leaves = static_cast<std::int64_t>(tree.leaf_count());
  for (std::int64_t i = 0; i < count; ++i) {
    const TreeNode& node = tree.nodes_[i];
    if (node.feature >= 0) {
      // Children lie after their parent in pre-order: every path moves forward and ends.
      const bool bad_split =
          node.categorical() ? node.set_index() >= sets : std::isnan(node.threshold);
      if (node.feature_index() >= features || i + 1 >= count || node.target <= i + 1 ||
          node.target >= count || bad_split) {
        throw in.Corrupt("tree node " + std::to_string(i) + " is out of range");
      }
    } else if (node.feature != -1 || node.target < 0 || node.target >= leaves) {
      throw in.Corrupt("tree leaf " + std::to_string(i) + " is out of range");
    }
  }
  return tree;
}

}  // namespace scaleml
