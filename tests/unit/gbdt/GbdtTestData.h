// Datasets for the gbdt tests: blobs (SyntheticData.h) and make_classification rows from the
// project's generator (a harder, scikit-learn-like problem), plus a train/test helper.
#pragma once

#include <string>
#include <vector>

#include "algo/Classifier.h"
#include "comm/LocalComm.h"
#include "data/ClassificationGenerator.h"
#include "data/Dataset.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml::testing {

// With `chunk_rows` > 0, every chunk of that many rows is its own problem (the paper's data).
inline Dataset MakeClassificationData(std::int64_t rows, int features, int classes,
                                      std::uint64_t seed, std::int64_t chunk_rows = 0) {
  GeneratorParams params;
  params.samples = rows;
  params.features = features;
  params.classes = classes;
  params.seed = seed;
  if (chunk_rows > 0) {
    params.chunk_size = chunk_rows;
    params.problem_per_chunk = true;
  }
  GeneratedRows generated = GenerateRows(params);
  std::vector<std::string> names;
  for (int f = 0; f < features; ++f) names.push_back("feature_" + std::to_string(f));
  Dataset data(names, static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (int f = 0; f < features; ++f) {
      data.mutable_column(f)[r] = static_cast<float>(generated.values[r * features + f]);
    }
    data.mutable_labels()[r] = generated.labels[r];
  }
  return data;
}

// Rows [begin, end) of `data`.
inline Dataset RowRange(const Dataset& data, std::size_t begin, std::size_t end) {
  std::vector<std::size_t> rows;
  for (std::size_t r = begin; r < end; ++r) rows.push_back(r);
  return data.Take(rows);
}

inline double Accuracy(const Classifier& model, const Dataset& test) {
  LocalComm comm;
  auto predicted = model.Predict(test, comm);
  auto labels = test.labels();
  std::size_t right = 0;
  for (std::size_t r = 0; r < predicted.size(); ++r) right += predicted[r] == labels[r];
  return static_cast<double>(right) / static_cast<double>(predicted.size());
}

}  // namespace scaleml::testing
