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

// Model files: "SCALEML-MODEL v1", the algorithm's name, its parameters and classes, then the
// algorithm's payload. Written atomically.
void SaveClassifier(const Classifier& model, const std::string& path);
std::unique_ptr<Classifier> LoadClassifier(const std::string& path);

}  // namespace scaleml
