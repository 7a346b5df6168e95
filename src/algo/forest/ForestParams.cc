#include "algo/forest/ForestParams.h"

#include <algorithm>
#include <cmath>

namespace scaleml {

int ForestParams::FeaturesPerSplit(int features) const {
  int count = features;
  if (max_features == MaxFeatures::kSqrt) {
    count = static_cast<int>(std::sqrt(static_cast<double>(features)));
  } else if (max_features == MaxFeatures::kLog2) {
    count = static_cast<int>(std::log2(static_cast<double>(features)));
  }
  return std::clamp(count, 1, std::max(features, 1));
}

const ParamSchema<ForestParams>& ForestSchema() {
  // Built in place: the schema's setters refer to the schema object itself.
  static ParamSchema<ForestParams> schema("rf");
  static const bool built = [] {
    schema.Int("n_estimators", &ForestParams::n_estimators, 1, 100000, "number of trees")
        .Choice("criterion", &ForestParams::criterion,
                {{"gini", SplitCriterion::kGini}, {"entropy", SplitCriterion::kEntropy}},
                "impurity measure of a split")
        .Int("max_depth", &ForestParams::max_depth, 0, 10000,
             "deepest level of a tree; 0 grows until every leaf is pure")
        .Int("min_samples_split", &ForestParams::min_samples_split, 2, 1000000000,
             "fewest distinct rows a node needs to be split")
        .Int("min_samples_leaf", &ForestParams::min_samples_leaf, 1, 1000000000,
             "fewest distinct rows on each side of a split")
        .Choice("max_features", &ForestParams::max_features,
                {{"sqrt", MaxFeatures::kSqrt},
                 {"log2", MaxFeatures::kLog2},
                 {"all", MaxFeatures::kAll}},
                "features tried per split: sqrt(F), log2(F) or all F")
        .Bool("bootstrap", &ForestParams::bootstrap,
              "train each tree on a bootstrap sample, each row Poisson(1) times (else on all rows)")
        .Int("random_state", &ForestParams::random_state, 0, 2147483647,
             "seed of the bins, the bootstrap and the feature sampling")
        .Int("exact_split_rows", &ForestParams::exact_split_rows, 0, 2000000000,
             "nodes smaller than this are split on exact values; 0 uses histograms only")
        .Int("max_bin", &ForestParams::max_bin, 2, 255, "histogram bins per feature")
        .Int("round_trees", &ForestParams::round_trees, 0, 100000,
             "with several ranks, trees a rank grows per exchange round; 0: all of them in one "
             "round (each row sent once; a rank may hold up to all training rows)")
        .Alias("seed", "random_state")
        .Alias("num_trees", "n_estimators")
        .Alias("num_bins", "max_bin");
    return true;
  }();
  (void)built;
  return schema;
}

}  // namespace scaleml
