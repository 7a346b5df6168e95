// Placeholder until the Gbdt classifier lands: the registry links, training reports it missing.
#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {
struct GbdtParams {
  int placeholder = 0;
};
}  // namespace

const ParamSchemaBase& GbdtParamSchema() {
  static const ParamSchema<GbdtParams> schema("gbdt");
  return schema;
}

std::unique_ptr<Classifier> MakeGbdtClassifier(const ParamMap&) {
  throw Failure("gbdt: not built yet");
}

}  // namespace scaleml
