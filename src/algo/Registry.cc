#include "algo/Registry.h"

#include "algo/AlgorithmFactories.h"
#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml {
namespace {

constexpr std::string_view kModelMagic = "SCALEML-MODEL";
constexpr std::uint32_t kModelVersion = 1;

}  // namespace

const std::vector<AlgorithmInfo>& Algorithms() {
  static const std::vector<AlgorithmInfo> algorithms = [] {
    std::vector<AlgorithmInfo> list;
    list.push_back({"gbdt", {"lightgbm"}, "gradient-boosted trees, LightGBM's algorithm",
                    &GbdtParamSchema(), &MakeGbdtClassifier});
    list.push_back({"xgboost", {"xgb"}, "XGBoost through libxgboost's C API",
                    &XgboostParamSchema(), &MakeXgboostClassifier});
    list.push_back({"logreg", {"logistic_regression"},
                    "L2-regularised logistic regression (scikit-learn's defaults)",
                    &LogregParamSchema(), &MakeLogregClassifier});
    list.push_back({"rf", {"random_forest", "forest"}, "random forest (scikit-learn's defaults)",
                    &ForestParamSchema(), &MakeForestClassifier});
    list.push_back({"knn", {}, "exact k-nearest neighbours on a kd-tree", &KnnParamSchema(),
                    &MakeKnnClassifier});
    return list;
  }();
  return algorithms;
}

const AlgorithmInfo& FindAlgorithm(const std::string& name) {
  std::string valid;
  for (const auto& info : Algorithms()) {
    if (info.name == name) return info;
    for (const auto& alias : info.aliases) {
      if (alias == name) return info;
    }
    valid += (valid.empty() ? "" : ", ") + info.name;
    for (const auto& alias : info.aliases) valid += ", " + alias;
  }
  throw InputError("unknown algorithm '", name, "'; valid algorithms: ", valid);
}

std::unique_ptr<Classifier> MakeClassifier(const std::string& name, const ParamMap& params) {
  return FindAlgorithm(name).make(params);
}

void SaveClassifier(const Classifier& model, const std::string& path) {
  BinaryWriter out;
  out.PutString(kModelMagic);
  out.Put<std::uint32_t>(kModelVersion);
  out.PutString(model.name());
  ParamMap params = model.params();
  out.Put<std::uint64_t>(params.size());
  for (const auto& [key, value] : params) {
    out.PutString(key);
    out.PutString(value);
  }
  out.PutVector(model.classes());
  model.SaveModel(out);
  WriteFileAtomically(path, out.bytes());
}

std::unique_ptr<Classifier> LoadClassifier(const std::string& path) {
  std::string bytes = ReadWholeFile(path);
  BinaryReader in(bytes, path);
  // Check the magic without trusting the length prefix of a foreign file.
  if (bytes.size() < 8 + kModelMagic.size() ||
      std::string_view(bytes).substr(8, kModelMagic.size()) != kModelMagic) {
    throw InputError(path, ": not a scaleml model file (save one with scaleml train --save-model)");
  }
  in.GetString();
  auto version = in.Get<std::uint32_t>();
  if (version != kModelVersion) {
    throw InputError(path, ": model file version ", version, " is not supported (expected ",
                     kModelVersion, ")");
  }
  std::string name = in.GetString();
  auto count = in.Get<std::uint64_t>();
  if (count > 1000) throw in.Corrupt("too many parameters");
  ParamMap params;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string key = in.GetString();
    params[key] = in.GetString();
  }
  auto classes = in.GetVector<std::int32_t>(1 << 20);
  auto model = MakeClassifier(name, params);
  model->set_classes(std::move(classes));
  model->LoadModel(in);
  if (!in.AtEnd()) throw in.Corrupt("unexpected bytes after the model");
  return model;
}

}  // namespace scaleml
