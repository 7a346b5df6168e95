// The entry points each algorithm folder provides to the registry.
#pragma once

#include <memory>

#include "algo/Classifier.h"
#include "algo/ParamSchema.h"

namespace scaleml {

const ParamSchemaBase& GbdtParamSchema();
std::unique_ptr<Classifier> MakeGbdtClassifier(const ParamMap& params);

const ParamSchemaBase& XgboostParamSchema();
std::unique_ptr<Classifier> MakeXgboostClassifier(const ParamMap& params);

const ParamSchemaBase& LogregParamSchema();
std::unique_ptr<Classifier> MakeLogregClassifier(const ParamMap& params);

const ParamSchemaBase& ForestParamSchema();
std::unique_ptr<Classifier> MakeForestClassifier(const ParamMap& params);

const ParamSchemaBase& KnnParamSchema();
std::unique_ptr<Classifier> MakeKnnClassifier(const ParamMap& params);

}  // namespace scaleml
