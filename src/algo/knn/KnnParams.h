// k-nearest-neighbour parameters with scikit-learn's KNeighborsClassifier defaults (5
// neighbours, uniform weights, Euclidean distance), and their schema.
// Thread-safety: plain values; the schema is immutable once built.
#pragma once

#include <string>

#include "algo/ParamSchema.h"

namespace scaleml {

// Numeric columns' scaling: standard (zero mean, unit variance), none, or auto (standard when
// the table has categorical features).
enum class KnnScale { kAuto, kStandard, kNone };

struct KnnParams {
  int n_neighbors = 5;
  std::string weights = "uniform";  // every neighbour one vote
  int p = 2;                        // Minkowski power: Euclidean only
  int leaf_size = 32;               // points per kd-tree leaf
  // Categorical features are one-hot encoded and numeric NaN imputed with the training mean
  // (algo/FeatureEncoder.h); categories seen fewer than min_frequency times share one column.
  int min_frequency = 1;
  // Numeric columns: "auto" standardises them (zero mean, unit variance over the training rows)
  // when the table has categorical features, so that one differing category (squared distance 2
  // between one-hot vectors) weighs as much as two standard deviations of a numeric feature; on
  // all-numeric tables it leaves them as they are (scikit-learn's distances, the paper's data).
  // "standard" always standardises; "none" never does.
  KnnScale scale = KnnScale::kAuto;
};

const ParamSchema<KnnParams>& KnnSchema();

}  // namespace scaleml
