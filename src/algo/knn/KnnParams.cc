#include "algo/knn/KnnParams.h"

namespace scaleml {

const ParamSchema<KnnParams>& KnnSchema() {
  // Built in place: the schema's setters refer to the schema object itself.
  static ParamSchema<KnnParams> schema("knn");
  static const bool built = [] {
    schema.Int("n_neighbors", &KnnParams::n_neighbors, 1, 10000, "neighbours that vote")
        .Choice("weights", &KnnParams::weights, {"uniform"},
                "vote weights: one per neighbour (the majority wins, the lowest class on ties)")
        .Int("p", &KnnParams::p, 2, 2, "Minkowski power of the distance: 2 (Euclidean)")
        .Int("leaf_size", &KnnParams::leaf_size, 1, 4096, "points per kd-tree leaf")
        .Alias("k", "n_neighbors");
    return true;
  }();
  (void)built;
  return schema;
}

}  // namespace scaleml
