#include "data/ClassificationProblem.h"

#include <unordered_set>

namespace scaleml {

std::vector<std::vector<int>> HypercubeVertices(int count, int dimensions, Rng& rng) {
  std::vector<std::vector<int>> vertices(count, std::vector<int>(dimensions, 0));
  const int extra = dimensions > 30 ? dimensions - 30 : 0;
  const int coded = dimensions - extra;
  for (auto& vertex : vertices) {
    for (int d = 0; d < extra; ++d) vertex[d] = static_cast<int>(rng.Below(2));
  }
  // Distinct codes below 2^coded by rejection: count <= 2^coded, and scikit-learn's own
  // sample_without_replacement returns them in random order as this does.
  const std::uint64_t space = std::uint64_t{1} << coded;
  std::unordered_set<std::uint64_t> used;
  for (auto& vertex : vertices) {
    std::uint64_t code;
    do {
      code = rng.Below(space);
    } while (!used.insert(code).second);
    for (int d = 0; d < coded; ++d) {
      vertex[extra + d] =
          static_cast<int>((code >> (coded - 1 - d)) & 1);  // most significant first
    }
  }
  return vertices;
}

ClassificationProblem ClassificationProblem::Draw(const GeneratorParams& p, Rng& rng) {
  ClassificationProblem problem;
  const int inf = p.informative;
  problem.informative = inf;
  problem.redundant = p.redundant;
  problem.repeated = p.repeated;
  problem.features = p.features;
  problem.clusters = p.clusters();
  const int clusters = problem.clusters;

  const auto vertices = HypercubeVertices(clusters, inf, rng);
  problem.centroids.resize(static_cast<std::size_t>(clusters) * inf);
  for (int k = 0; k < clusters; ++k) {
    for (int j = 0; j < inf; ++j) {
      problem.centroids[k * inf + j] = vertices[k][j] * 2.0 * p.class_sep - p.class_sep;
    }
  }
  if (!p.hypercube) {
    // As scikit-learn: scale each centroid by a random factor, then each dimension by another.
    std::vector<double> per_cluster(clusters), per_dimension(inf);
    for (auto& u : per_cluster) u = rng.Uniform();
    for (auto& u : per_dimension) u = rng.Uniform();
    for (int k = 0; k < clusters; ++k) {
      for (int j = 0; j < inf; ++j)
        problem.centroids[k * inf + j] *= per_cluster[k] * per_dimension[j];
    }
  }
  problem.transforms.resize(static_cast<std::size_t>(clusters) * inf * inf);
  for (auto& a : problem.transforms) a = 2.0 * rng.Uniform() - 1.0;
  problem.redundant_mix.resize(static_cast<std::size_t>(inf) * p.redundant);
  for (auto& b : problem.redundant_mix) b = 2.0 * rng.Uniform() - 1.0;
  const int sources = inf + p.redundant;
  for (int q = 0; q < p.repeated; ++q) {
    problem.repeated_source.push_back(static_cast<int>((sources - 1) * rng.Uniform() + 0.5));
  }
  problem.shift.resize(p.features);
  for (auto& s : problem.shift) s = p.shift ? *p.shift : (2.0 * rng.Uniform() - 1.0) * p.class_sep;
  problem.scale.resize(p.features);
  for (auto& s : problem.scale) s = p.scale ? *p.scale : 1.0 + 100.0 * rng.Uniform();
  problem.column_order.resize(p.features);
  for (int c = 0; c < p.features; ++c) problem.column_order[c] = c;
  // Drawn even without shuffling, so that the rest of the problem does not depend on the flag.
  for (int c = p.features - 1; c > 0; --c) {
    const int other = static_cast<int>(rng.Below(static_cast<std::uint64_t>(c) + 1));
    if (p.shuffle) std::swap(problem.column_order[c], problem.column_order[other]);
  }
  problem.output_column.resize(p.features);
  for (int c = 0; c < p.features; ++c) problem.output_column[problem.column_order[c]] = c;
  return problem;
}

}  // namespace scaleml
