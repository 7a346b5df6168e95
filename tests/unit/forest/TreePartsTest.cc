#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/DecisionTree.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

TEST(BinnedFeatures, FewDistinctValuesGetOneBinEach) {
  auto bounds = BinnedFeatures::FindBounds({3.f, 1.f, 2.f, 2.f, 1.f, 3.f, 1.f}, 255);
  EXPECT_EQ(bounds, (std::vector<float>{1.5f, 2.5f}));
  EXPECT_TRUE(BinnedFeatures::FindBounds({4.f, 4.f, 4.f}, 255).empty());
}

TEST(BinnedFeatures, ManyValuesGetQuantileBinsOfSimilarSize) {
  Rng rng(1);
  std::vector<float> values(100000);
  for (auto& v : values) v = static_cast<float>(rng.Uniform() * rng.Uniform());  // skewed
  auto bounds = BinnedFeatures::FindBounds(values, 64);
  ASSERT_LE(bounds.size(), 63u);
  ASSERT_GE(bounds.size(), 60u);
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  std::vector<std::size_t> counts(bounds.size() + 1);
  for (float v : values) {
    ++counts[std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin()];
  }
  for (std::size_t c : counts) EXPECT_NEAR(c, 100000.0 / 64, 100000.0 / 64 * 0.2);
}

TEST(BinnedFeatures, BinAtMostBIsValueAtMostBound) {
  Dataset data = testing::MakeBlobs(5000, 3, 2, 1.0, 2);
  data.mutable_column(1)[7] = NAN;
  LocalComm comm;
  auto binned = BinnedFeatures::Build(data, BinnedFeatures::GlobalBounds(data, 32, 9, comm), true);
  ASSERT_TRUE(binned.has_raw());
  for (int f = 0; f < 3; ++f) {
    const auto& bounds = binned.bounds(f);
    for (std::size_t r = 0; r < data.rows(); ++r) {
      const int bin = binned.row_bins(r)[f];
      ASSERT_EQ(std::memcmp(binned.row_values(r) + f, &data.column(f)[r], 4), 0) << r;
      for (std::size_t b = 0; b < bounds.size(); ++b) {
        ASSERT_EQ(bin <= static_cast<int>(b), data.at(r, f) <= bounds[b]) << f << " " << r;
      }
    }
  }
  EXPECT_EQ(binned.row_bins(7)[1], ForestBins::kMissingBin);  // NaN: its own bin
}

TEST(DecisionTree, WalksPreOrderNodes) {
  DecisionTree tree(2);
  const float left[] = {1.f, 0.f}, middle[] = {0.5f, 0.5f}, right[] = {0.f, 1.f};
  const auto root = tree.AddSplit(0, 0.5f);
  tree.AddLeaf(left);
  const auto inner = tree.AddSplit(1, 2.0f);
  tree.SetRightChild(root, inner);
  tree.AddLeaf(middle);
  tree.SetRightChild(inner, tree.AddLeaf(right));
  const float a[] = {0.5f, 9.f}, b[] = {0.6f, 2.f}, c[] = {0.6f, 2.5f}, nan[] = {NAN, 0.f};
  EXPECT_EQ(tree.LeafFractions(a)[0], 1.f);
  EXPECT_EQ(tree.LeafFractions(b)[0], 0.5f);
  EXPECT_EQ(tree.LeafFractions(c)[1], 1.f);
  EXPECT_EQ(tree.LeafFractions(nan)[0], 0.5f);  // NaN goes right

  BinaryWriter out;
  tree.Save(out);
  BinaryReader in(out.bytes(), "tree");
  auto loaded = DecisionTree::Load(in, 2, 2);
  EXPECT_TRUE(in.AtEnd());
  EXPECT_EQ(loaded.LeafFractions(c)[1], 1.f);
  // A feature the model does not have.
  BinaryReader narrow(out.bytes(), "tree");
  EXPECT_THROW(DecisionTree::Load(narrow, 2, 1), Error);
}

TEST(DecisionTree, CategoricalSplitsAndDefaultDirections) {
  DecisionTree tree(2);
  const float left[] = {1.f, 0.f}, other_left[] = {0.25f, 0.75f}, other_right[] = {0.75f, 0.25f};
  // Root: bins {1, 40} left of the seen bins {1, 3, 40}; missing and unseen bins go left.
  DecisionTree::CategorySet set{};
  for (std::uint32_t bin : {1u, 40u}) set[bin / 32] |= 1u << (bin % 32);
  for (std::uint32_t bin : {1u, 3u, 40u}) set[8 + bin / 32] |= 1u << (bin % 32);
  const auto root = tree.AddCategoricalSplit(0, set, true);
  tree.AddLeaf(left);
  // Right subtree: numeric, missing values left.
  const auto inner = tree.AddSplit(1, 0.5f, true);
  tree.SetRightChild(root, inner);
  tree.AddLeaf(other_left);
  tree.SetRightChild(inner, tree.AddLeaf(other_right));
  auto leaf = [&](float a, float b) {
    const float row[] = {a, b};
    return tree.LeafFractions(row)[0];
  };
  EXPECT_EQ(leaf(1.f, 9.f), 1.f);
  EXPECT_EQ(leaf(40.f, 9.f), 1.f);
  EXPECT_EQ(leaf(3.f, 0.f), 0.25f);
  EXPECT_EQ(leaf(3.f, 9.f), 0.75f);
  EXPECT_EQ(leaf(3.f, NAN), 0.25f);  // default left
  EXPECT_EQ(leaf(2.f, 9.f), 1.f);    // a bin the node did not see: default left
  EXPECT_EQ(leaf(NAN, 9.f), 1.f);
  EXPECT_EQ(leaf(300.f, 9.f), 1.f);

  BinaryWriter out;
  tree.Save(out);
  BinaryReader in(out.bytes(), "tree");
  auto loaded = DecisionTree::Load(in, 2, 2);
  EXPECT_EQ(loaded.category_sets(), tree.category_sets());
  EXPECT_EQ(loaded.nodes()[0].feature, tree.nodes()[0].feature);
  EXPECT_EQ(loaded.nodes()[0].set_index(), 0u);
  // A set index past the set table.
  std::string bytes = out.bytes();
  const std::uint32_t bad = 5;
  std::memcpy(bytes.data() + 8, &bad, 4);  // after the node count: node 0's threshold
  BinaryReader corrupt(bytes, "tree");
  EXPECT_THROW(DecisionTree::Load(corrupt, 2, 2), Error);
}

}  // namespace
}  // namespace scaleml
