// One make_classification problem: everything scikit-learn draws once per call (cluster
// centroids on hypercube vertices, one random linear map per cluster, the mix that makes the
// redundant features, the sources of the repeated ones, shift, scale, the column order), kept
// apart from the per-row draws so that one problem can feed many chunks generated in parallel.
// Thread-safety: immutable after Draw; share it freely.
#pragma once

#include <cstdint>
#include <vector>

#include "core/Hash.h"
#include "data/GeneratorParams.h"

namespace scaleml {

struct ClassificationProblem {
  int informative = 0;
  int redundant = 0;
  int repeated = 0;
  int features = 0;
  int clusters = 0;
  std::vector<double> centroids;      // clusters x informative: a vertex of [-sep, sep]^inf
  std::vector<double> transforms;     // clusters x informative x informative: A_k[i][j]
  std::vector<double> redundant_mix;  // informative x redundant: B[i][r]
  std::vector<int> repeated_source;   // repeated: the column each repeated feature copies
  std::vector<double> shift;          // features
  std::vector<double> scale;          // features
  std::vector<int> column_order;      // output column c holds generated column column_order[c]
  std::vector<int> output_column;     // the inverse: generated column s goes to output_column[s]

  // Draws a problem for `resolved` parameters from `rng`, in scikit-learn's order.
  static ClassificationProblem Draw(const GeneratorParams& resolved, Rng& rng);
};

// `count` distinct vertices of the `dimensions`-dimensional unit hypercube, in random order, as
// rows of 0/1 (as scikit-learn's _generate_hypercube: beyond 30 dimensions the extra leading
// coordinates are independent random bits, so vertices may then repeat).
std::vector<std::vector<int>> HypercubeVertices(int count, int dimensions, Rng& rng);

}  // namespace scaleml
