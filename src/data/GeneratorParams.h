// Parameters of the make_classification generator, with scikit-learn's meaning and the paper's
// defaults (10 features, 5 informative, 5 redundant, 2 classes), and their validation.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml {

struct GeneratorParams {
  std::int64_t samples = 1000;
  int features = 10;
  int classes = 2;
  int informative = -1;  // -1: features / 2, at least 1 (the paper's choice)
  int redundant = -1;    // -1: features / 2, at most what the informative leave
  int repeated = 0;
  int clusters_per_class = 2;
  double flip_y = 0.01;
  double class_sep = 1.0;
  bool hypercube = true;
  std::optional<double> shift = 0.0;  // nullopt: random per feature, (2u - 1) * class_sep
  std::optional<double> scale = 1.0;  // nullopt: random per feature, 1 + 100u
  std::vector<double> weights;        // per class (or all but the last); empty: balanced
  bool shuffle = true;                // rows within a chunk, and columns
  std::uint64_t seed = 0;
  std::int64_t chunk_size = 300000;
  bool problem_per_chunk = false;  // the paper's behaviour: a fresh problem for every chunk
  // Informative features written as string categories ("c0017"): their value binned into levels
  // of equal probability under the problem's own distribution (ClassificationGenerator).
  int categorical = 0;
  double missing = 0.0;  // fraction of feature cells written empty, each drawn independently

  int useless() const { return features - informative - redundant - repeated; }
  int clusters() const { return classes * clusters_per_class; }
};

// Fills the defaults (-1 counts, the last weight, balanced weights) and validates as
// scikit-learn does; an input error naming the flag (`--informative`, ...) otherwise.
GeneratorParams ResolveGeneratorParams(GeneratorParams params);

// Rows per cluster for `rows` rows, as scikit-learn distributes them: int(rows * w / cpc) each,
// then the remainder one by one round the clusters. Cluster k has class k % classes.
std::vector<std::int64_t> ClusterSizes(const GeneratorParams& resolved, std::int64_t rows);

// Every parameter, for the .json beside a generated file.
nlohmann::json GeneratorParamsJson(const GeneratorParams& resolved);

}  // namespace scaleml
