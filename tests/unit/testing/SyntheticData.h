// Small in-memory datasets for unit tests of algorithms: Gaussian blobs around class centres, so
// tests need neither files nor the generator. Deterministic for a seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/Hash.h"
#include "data/Dataset.h"

namespace scaleml::testing {

// `rows` rows, `features` features, `classes` classes; class c's centre is at distance
// `separation` along a per-class random direction; noise is standard normal.
inline Dataset MakeBlobs(std::size_t rows, std::size_t features, int classes, double separation,
                         std::uint64_t seed) {
  std::vector<std::string> names;
  for (std::size_t f = 0; f < features; ++f) names.push_back("feature_" + std::to_string(f));
  Dataset data(names, rows);
  Rng rng(seed);
  auto normal = [&rng] {
    double u1 = rng.Uniform(), u2 = rng.Uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
  };
  std::vector<double> centres(classes * features);
  for (auto& c : centres) c = normal() * separation / std::sqrt(static_cast<double>(features));
  auto labels = data.mutable_labels();
  for (std::size_t r = 0; r < rows; ++r) {
    int label = static_cast<int>(rng.Below(classes));
    labels[r] = label;
    for (std::size_t f = 0; f < features; ++f) {
      data.mutable_column(f)[r] = static_cast<float>(centres[label * features + f] + normal());
    }
  }
  return data;
}

// Splits rows into `parts` shards by row index modulo parts (global row ids kept), to feed the
// ranks of an in-process communicator.
inline Dataset Shard(const Dataset& data, int part, int parts) {
  std::vector<std::size_t> rows;
  for (std::size_t r = part; r < data.rows(); r += parts) rows.push_back(r);
  return data.Take(rows);
}

// Contiguous shards, as byte-range partitions give them.
inline Dataset ContiguousShard(const Dataset& data, int part, int parts) {
  std::size_t begin = data.rows() * part / parts, end = data.rows() * (part + 1) / parts;
  std::vector<std::size_t> rows;
  for (std::size_t r = begin; r < end; ++r) rows.push_back(r);
  return data.Take(rows);
}

}  // namespace scaleml::testing
