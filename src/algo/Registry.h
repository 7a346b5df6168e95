// Classifiers by name, with their parameter schemas. `lightgbm` is an alias of `gbdt`.
// Thread-safety: the registry is immutable; factories may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algo/Classifier.h"

namespace scaleml {

struct AlgorithmInfo {
  std::string name;
  std::vector<std::string> aliases;
  std::string summary;
  const ParamSchemaBase* schema;
  std::unique_ptr<Classifier> (*make)(const ParamMap& params);
};

const std::vector<AlgorithmInfo>& Algorithms();
// The algorithm by name or alias; an input error listing valid names otherwise.
const AlgorithmInfo& FindAlgorithm(const std::string& name);
// A classifier with validated parameters.
std::unique_ptr<Classifier> MakeClassifier(const std::string& name, const ParamMap& params);

// Model files (docs/model-format.md): a header ("SCALEML-MODEL", version 3, the file size), a
// body (the algorithm's name, parameters, classes, the training data's schema and feature names,
// then the algorithm's payload) and an XXH3-64 checksum of everything before it. Written
// atomically. Loading checks the checksum before reading the body: a damaged, cut or foreign file
// and one of a version before 2 are input errors naming the file.
void SaveClassifier(const Classifier& model, const std::string& path);
std::unique_ptr<Classifier> LoadClassifier(const std::string& path);
// The same with `overrides` in place of the file's parameters of those names (checked as
// MakeClassifier checks them): a checkpoint continued with warm start to more rounds
// (n_estimators / num_iterations) than it was saved with.
std::unique_ptr<Classifier> LoadClassifier(const std::string& path, const ParamMap& overrides);

}  // namespace scaleml
