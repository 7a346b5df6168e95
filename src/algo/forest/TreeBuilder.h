// Grows one classification tree of a random forest the way scikit-learn's BestSplitter does
// (given bootstrap row weights, a fresh random subset of features per node, best gini or entropy
// split, grown until pure), but fast: large nodes are split on class-count histograms of the
// prebinned features, with the node's rows kept as compact records that are partitioned in place;
// nodes below `exact_split_rows` rows copy their rows' raw values into a small local buffer and are
// split on exact values from there down, so deep splits are as precise as scikit-learn's.
// Unlike scikit-learn 1.2, categorical features split on subsets of categories and missing values
// go to a learnt side (Grower.h, GrowerCategorical.cc).
// Thread-safety: a TreeBuilder is immutable after construction; Build() may run concurrently
// from several threads (each call has its own scratch space).
#pragma once

#include <cstdint>
#include <span>

#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/DecisionTree.h"
#include "algo/forest/ForestParams.h"

namespace scaleml {

class TreeBuilder {
 public:
  // `codes`: each row's class index in [0, classes). All arguments must outlive the builder.
  TreeBuilder(const BinnedFeatures& data, std::span<const std::int32_t> codes, int classes,
              const ForestParams& params);

  // The tree on the rows with a weight (bootstrap count) above 0, whose features per node are
  // drawn from this stream (the forest's seed and the tree's number): the same tree for the same
  // weighted rows whatever their order, the thread or the rank that builds it. At least one
  // weight must be above 0.
  DecisionTree Build(std::uint64_t seed, std::uint64_t tree_number,
                     std::span<const std::uint16_t> weights) const;

 private:
  const BinnedFeatures& data_;
  std::span<const std::int32_t> codes_;
  int classes_;
  const ForestParams& params_;
};

}  // namespace scaleml
