// k-nearest-neighbour parameters with scikit-learn's KNeighborsClassifier defaults (5
// neighbours, uniform weights, Euclidean distance), and their schema.
// Thread-safety: plain values; the schema is immutable once built.
#pragma once

#include <string>

#include "algo/ParamSchema.h"

namespace scaleml {

struct KnnParams {
  int n_neighbors = 5;
  std::string weights = "uniform";  // every neighbour one vote
  int p = 2;                        // Minkowski power: Euclidean only
  int leaf_size = 32;               // points per kd-tree leaf
};

const ParamSchema<KnnParams>& KnnSchema();

}  // namespace scaleml
