// Placeholder until the Xgboost classifier lands: the registry links, training reports it missing.
#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {
struct XgboostParams {
  int placeholder = 0;
};
}  // namespace

const ParamSchemaBase& XgboostParamSchema() {
  static const ParamSchema<XgboostParams> schema("xgboost");
  return schema;
}

std::unique_ptr<Classifier> MakeXgboostClassifier(const ParamMap&) {
  throw Failure("xgboost: not built yet");
}

}  // namespace scaleml
