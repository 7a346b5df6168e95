#include "data/GeneratorParams.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/Error.h"

namespace scaleml {

GeneratorParams ResolveGeneratorParams(GeneratorParams p) {
  if (p.samples < 1) throw InputError("--samples must be at least 1, got ", p.samples);
  if (p.features < 1) throw InputError("--features must be at least 1, got ", p.features);
  if (p.classes < 1) throw InputError("--classes must be at least 1, got ", p.classes);
  if (p.clusters_per_class < 1) {
    throw InputError("--clusters-per-class must be at least 1, got ", p.clusters_per_class);
  }
  // The paper's split: half informative, half redundant (at least one informative feature).
  if (p.informative < 0) p.informative = std::max(1, p.features / 2);
  if (p.redundant < 0)
    p.redundant = std::max(0, std::min(p.features / 2, p.features - p.informative));
  if (p.informative < 1) throw InputError("--informative must be at least 1, got ", p.informative);
  if (p.repeated < 0) throw InputError("--repeated must be at least 0, got ", p.repeated);
  if (p.informative + p.redundant + p.repeated > p.features) {
    throw InputError("--informative + --redundant + --repeated (", p.informative, " + ",
                     p.redundant, " + ", p.repeated, ") must be at most --features (", p.features,
                     ")");
  }
  if (static_cast<std::int64_t>(p.classes) * p.clusters_per_class > (1 << 20)) {
    throw InputError("--classes * --clusters-per-class must be at most 1048576, got ", p.classes,
                     " * ", p.clusters_per_class);
  }
  // As scikit-learn: every cluster needs its own hypercube vertex (log2 avoids overflow).
  if (static_cast<double>(p.informative) < std::log2(static_cast<double>(p.clusters()))) {
    throw InputError("--classes * --clusters-per-class (", p.classes, " * ", p.clusters_per_class,
                     ") must be at most 2**--informative (2**", p.informative, ")");
  }
  if (p.categorical < 0 || p.categorical > p.informative) {
    throw InputError("--categorical must be in [0, --informative (", p.informative, ")], got ",
                     p.categorical);
  }
  if (!(p.missing >= 0.0 && p.missing < 1.0)) {
    throw InputError("--missing must be a fraction in [0, 1), got ", p.missing);
  }
  if (!(p.flip_y >= 0.0 && p.flip_y <= 1.0)) {
    throw InputError("--flip-y must be in [0, 1], got ", p.flip_y);
  }
  if (!std::isfinite(p.class_sep)) throw InputError("--class-sep must be finite");
  if (p.shift && !std::isfinite(*p.shift)) throw InputError("--shift must be finite");
  if (p.scale && !std::isfinite(*p.scale)) throw InputError("--scale must be finite");
  if (p.chunk_size < 1 || p.chunk_size > std::numeric_limits<std::int32_t>::max()) {
    throw InputError("--chunk-size must be in [1, 2147483647], got ", p.chunk_size);
  }
  if (!p.weights.empty()) {
    const auto given = static_cast<int>(p.weights.size());
    if (given != p.classes && given != p.classes - 1) {
      throw InputError("--weights has ", given, " values; it needs --classes (", p.classes,
                       ") or one fewer");
    }
    for (double w : p.weights) {
      if (!(w >= 0.0 && w <= 1.0)) throw InputError("--weights must be in [0, 1], got ", w);
    }
    const double sum = std::accumulate(p.weights.begin(), p.weights.end(), 0.0);
    if (sum > 1.0 + 1e-9) throw InputError("--weights must sum to at most 1, got ", sum);
    if (given == p.classes - 1) p.weights.push_back(std::max(0.0, 1.0 - sum));
  } else {
    p.weights.assign(p.classes, 1.0 / p.classes);
  }
  return p;
}

std::vector<std::int64_t> ClusterSizes(const GeneratorParams& p, std::int64_t rows) {
  const int clusters = p.clusters();
  std::vector<std::int64_t> sizes(clusters);
  std::int64_t assigned = 0;
  for (int k = 0; k < clusters; ++k) {
    sizes[k] = static_cast<std::int64_t>(static_cast<double>(rows) * p.weights[k % p.classes] /
                                         p.clusters_per_class);
    assigned += sizes[k];
  }
  for (std::int64_t i = 0; assigned < rows; ++i, ++assigned) ++sizes[i % clusters];
  // Rounding of weights that sum to 1 can overshoot by a row; take it back from the largest.
  while (assigned > rows) {
    auto largest = std::max_element(sizes.begin(), sizes.end());
    --*largest;
    --assigned;
  }
  return sizes;
}

nlohmann::json GeneratorParamsJson(const GeneratorParams& p) {
  nlohmann::json j;
  j["samples"] = p.samples;
  j["features"] = p.features;
  j["classes"] = p.classes;
  j["informative"] = p.informative;
  j["redundant"] = p.redundant;
  j["repeated"] = p.repeated;
  j["useless"] = p.useless();
  j["clusters_per_class"] = p.clusters_per_class;
  j["flip_y"] = p.flip_y;
  j["class_sep"] = p.class_sep;
  j["hypercube"] = p.hypercube;
  j["shift"] = p.shift ? nlohmann::json(*p.shift) : nlohmann::json("random");
  j["scale"] = p.scale ? nlohmann::json(*p.scale) : nlohmann::json("random");
  j["weights"] = p.weights;
  j["shuffle"] = p.shuffle;
  j["seed"] = p.seed;
  j["chunk_size"] = p.chunk_size;
  j["problem_per_chunk"] = p.problem_per_chunk;
  j["categorical"] = p.categorical;
  j["missing"] = p.missing;
  return j;
}

}  // namespace scaleml
