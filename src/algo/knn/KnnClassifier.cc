// Placeholder until the Knn classifier lands: the registry links, training reports it missing.
#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {
struct KnnParams {
  int placeholder = 0;
};
}  // namespace

const ParamSchemaBase& KnnParamSchema() {
  static const ParamSchema<KnnParams> schema("knn");
  return schema;
}

std::unique_ptr<Classifier> MakeKnnClassifier(const ParamMap&) {
  throw Failure("knn: not built yet");
}

}  // namespace scaleml
