// Helpers shared by the random-forest tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algo/AlgorithmFactories.h"
#include "comm/LocalComm.h"
#include "data/Dataset.h"

namespace scaleml::testing {

inline double Accuracy(const std::vector<std::int32_t>& predicted, const Dataset& data) {
  auto labels = data.labels();
  std::size_t right = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) right += predicted[r] == labels[r];
  return data.rows() == 0 ? 0.0 : static_cast<double>(right) / data.rows();
}

// A forest fitted on one process.
inline std::unique_ptr<Classifier> FitForest(const Dataset& train, const ParamMap& params) {
  auto model = MakeForestClassifier(params);
  LocalComm comm;
  model->Fit(train, comm);
  return model;
}

inline double ForestAccuracy(const Classifier& model, const Dataset& test) {
  LocalComm comm;
  return Accuracy(model.Predict(test, comm), test);
}

// The model's payload bytes: equal bytes mean the same forest.
inline std::string ModelBytes(const Classifier& model) {
  BinaryWriter out;
  model.SaveModel(out);
  return out.Take();
}

// A model read back from payload bytes, as the registry's LoadClassifier does after the header.
inline std::unique_ptr<Classifier> LoadForest(const Classifier& saved, std::string_view bytes,
                                              const std::string& source) {
  auto model = MakeForestClassifier(saved.params());
  model->set_classes(saved.classes());
  BinaryReader in(bytes, source);
  model->LoadModel(in);
  if (!in.AtEnd()) throw in.Corrupt("unexpected bytes after the model");
  return model;
}

}  // namespace scaleml::testing
