// Placeholder until the Forest classifier lands: the registry links, training reports it missing.
#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {
struct ForestParams {
  int placeholder = 0;
};
}  // namespace

const ParamSchemaBase& ForestParamSchema() {
  static const ParamSchema<ForestParams> schema("forest");
  return schema;
}

std::unique_ptr<Classifier> MakeForestClassifier(const ParamMap&) {
  throw Failure("forest: not built yet");
}

}  // namespace scaleml
