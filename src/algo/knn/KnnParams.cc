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
        .Int("min_frequency", &KnnParams::min_frequency, 1, 1000000000,
             "categorical features are one-hot encoded; categories seen fewer times share one "
             "column (missing and unseen ones: all zeros); numeric NaN becomes the training mean")
        .Choice("scale", &KnnParams::scale,
                {{"auto", KnnScale::kAuto},
                 {"standard", KnnScale::kStandard},
                 {"none", KnnScale::kNone}},
                "numeric columns: standard = zero mean, unit variance (a differing category then "
                "weighs as two standard deviations); auto = standard when the table has "
                "categorical features, none otherwise (raw distances, as scikit-learn)")
        .Alias("k", "n_neighbors");
    return true;
  }();
  (void)built;
  return schema;
}

}  // namespace scaleml
