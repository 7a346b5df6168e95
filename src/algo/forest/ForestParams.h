// Random-forest parameters with scikit-learn's RandomForestClassifier defaults, and their schema.
// Thread-safety: plain values; the schema is immutable once built.
#pragma once

#include <string>

#include "algo/ParamSchema.h"

namespace scaleml {

enum class SplitCriterion { kGini, kEntropy };
// Features tried per split: sqrt(F), log2(F) or all F.
enum class MaxFeatures { kSqrt, kLog2, kAll };

struct ForestParams {
  int n_estimators = 100;
  SplitCriterion criterion = SplitCriterion::kGini;
  int max_depth = 0;  // 0: grown until the leaves are pure (scikit-learn's None)
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  MaxFeatures max_features = MaxFeatures::kSqrt;
  bool bootstrap = true;
  int random_state = 0;
  // Nodes with at least this many distinct rows are split on quantile-histogram bins; smaller
  // ones on the exact feature values, as scikit-learn does everywhere. 0: histograms only.
  int exact_split_rows = 128;
  int max_bin = 255;
  // With several ranks: trees an owner grows per exchange round. 0: all of its trees in one
  // round, so every row crosses the network once (an owner then holds up to one copy of the
  // training rows); k > 0 bounds that memory to k trees' samples but resends rows every round.
  int round_trees = 0;

  // Features tried per split for `features` features (scikit-learn's rule).
  int FeaturesPerSplit(int features) const;
};

const ParamSchema<ForestParams>& ForestSchema();

}  // namespace scaleml
