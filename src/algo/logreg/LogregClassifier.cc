// Placeholder until the Logreg classifier lands: the registry links, training reports it missing.
#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {
struct LogregParams {
  int placeholder = 0;
};
}  // namespace

const ParamSchemaBase& LogregParamSchema() {
  static const ParamSchema<LogregParams> schema("logreg");
  return schema;
}

std::unique_ptr<Classifier> MakeLogregClassifier(const ParamMap&) {
  throw Failure("logreg: not built yet");
}

}  // namespace scaleml
