#include "algo/Registry.h"

#include <cstring>

#include "algo/AlgorithmFactories.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "data/DatasetMeta.h"
#include "data/SchemaIO.h"

namespace scaleml {
namespace {

// The layout is documented in docs/model-format.md; a change to it bumps kModelVersion.
constexpr std::string_view kModelMagic = "SCALEML-MODEL";
// Version 3 stores the schema through data/SchemaIO (with its own format version); version 2
// stored the same fields without it and is still read.
constexpr std::uint32_t kModelVersion = 3;
constexpr std::uint32_t kOldestReadVersion = 2;
// The magic (a length-prefixed string), the version and the file size.
constexpr std::size_t kHeaderBytes = 8 + kModelMagic.size() + 4 + 8;
constexpr std::size_t kChecksumBytes = 8;

void PutStrings(BinaryWriter& out, const std::vector<std::string>& strings) {
  out.Put<std::uint64_t>(strings.size());
  for (const auto& s : strings) out.PutString(s);
}

std::vector<std::string> GetStrings(BinaryReader& in, const char* what) {
  const auto count = in.Get<std::uint64_t>();
  if (count > (1u << 24)) throw in.Corrupt(StrCat("implausible number of ", what));
  std::vector<std::string> strings;
  strings.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) strings.push_back(in.GetString());
  return strings;
}

// The header and the checksum, checked before any byte of the body is believed: a damaged or
// cut file is one clear input error, never a parse of garbage. Returns the file's version.
std::uint32_t CheckEnvelope(std::string_view bytes, const std::string& path) {
  // The magic without trusting the length prefix of a foreign file.
  if (bytes.size() < 8 + kModelMagic.size() || bytes.substr(8, kModelMagic.size()) != kModelMagic) {
    throw InputError(path, ": not a scaleml model file (save one with scaleml train --save-model)");
  }
  if (bytes.size() < kHeaderBytes) {
    throw InputError(path, ": model file is truncated (", bytes.size(),
                     " bytes, shorter than its header); save the model again");
  }
  BinaryReader header(bytes, path);
  header.GetString();
  const auto version = header.Get<std::uint32_t>();
  if (version < kOldestReadVersion) {
    throw InputError(path, ": model file version ", version,
                     " was written by an older scaleml and is no longer read (this one reads "
                     "versions ",
                     kOldestReadVersion, " to ", kModelVersion,
                     ", which carry the data's schema and a checksum); retrain the model with "
                     "scaleml train --save-model");
  }
  if (version > kModelVersion) {
    throw InputError(path, ": model file version ", version,
                     " is newer than this scaleml reads (version ", kModelVersion,
                     "); use the scaleml that wrote it");
  }
  const auto size = header.Get<std::uint64_t>();
  if (size != bytes.size()) {
    if (size > bytes.size()) {
      throw InputError(path, ": model file is truncated (", bytes.size(), " of ", size,
                       " bytes) or damaged; retrain the model or restore the file");
    }
    throw InputError(path, ": model file has ", bytes.size() - size, " bytes after its end (", size,
                     " bytes) or is damaged; retrain the model or restore the file");
  }
  if (size < kHeaderBytes + kChecksumBytes) {
    throw InputError(path, ": model file is truncated or damaged (", size,
                     " bytes); retrain the model or restore the file");
  }
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + size - kChecksumBytes, kChecksumBytes);
  if (ChecksumOf(bytes.data(), size - kChecksumBytes) != stored) {
    throw InputError(path,
                     ": checksum mismatch: the file is damaged or was changed; retrain or "
                     "restore it");
  }
  return version;
}

}  // namespace

const std::vector<AlgorithmInfo>& Algorithms() {
  static const std::vector<AlgorithmInfo> algorithms = [] {
    std::vector<AlgorithmInfo> list;
    list.push_back({"gbdt",
                    {"lightgbm"},
                    "gradient-boosted trees, LightGBM's algorithm",
                    &GbdtParamSchema(),
                    &MakeGbdtClassifier});
    list.push_back({"xgboost",
                    {"xgb"},
                    "XGBoost through libxgboost's C API",
                    &XgboostParamSchema(),
                    &MakeXgboostClassifier});
    list.push_back({"logreg",
                    {"logistic_regression"},
                    "L2-regularised logistic regression (scikit-learn's defaults)",
                    &LogregParamSchema(),
                    &MakeLogregClassifier});
    list.push_back({"rf",
                    {"random_forest", "forest"},
                    "random forest (scikit-learn's defaults)",
                    &ForestParamSchema(),
                    &MakeForestClassifier});
    list.push_back({"knn",
                    {},
                    "exact k-nearest neighbours on a kd-tree",
                    &KnnParamSchema(),
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
  out.Put<std::uint64_t>(0);  // the file size, set below
  out.PutString(model.name());
  ParamMap params = model.params();
  out.Put<std::uint64_t>(params.size());
  for (const auto& [key, value] : params) {
    out.PutString(key);
    out.PutString(value);
  }
  out.PutVector(model.classes());
  WriteSchema(out, model.schema());
  PutStrings(out, model.feature_names());
  model.SaveModel(out);
  std::string bytes = out.Take();
  const std::uint64_t size = bytes.size() + kChecksumBytes;
  std::memcpy(bytes.data() + kHeaderBytes - 8, &size, 8);
  const std::uint64_t checksum = ChecksumOf(bytes.data(), bytes.size());
  bytes.append(reinterpret_cast<const char*>(&checksum), kChecksumBytes);
  WriteFileAtomically(path, bytes);
}

std::unique_ptr<Classifier> LoadClassifier(const std::string& path) {
  return LoadClassifier(path, ParamMap{});
}

std::unique_ptr<Classifier> LoadClassifier(const std::string& path, const ParamMap& overrides) {
  const std::string file = ReadWholeFile(path);
  const std::uint32_t version = CheckEnvelope(file, path);
  const std::string_view body = std::string_view(file).substr(0, file.size() - kChecksumBytes);
  BinaryReader in(body, path);
  in.GetString();
  in.Get<std::uint32_t>();
  in.Get<std::uint64_t>();
  std::string name = in.GetString();
  auto count = in.Get<std::uint64_t>();
  if (count > 1000) throw in.Corrupt("too many parameters");
  ParamMap params;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string key = in.GetString();
    params[key] = in.GetString();
  }
  for (const auto& [key, value] : overrides) {
    // Under the name the file uses (an alias beside it would be two values for one field).
    const ParamInfo* info = FindAlgorithm(name).schema->Find(key);
    params[info != nullptr ? info->name : key] = value;
  }
  auto classes = in.GetVector<std::int32_t>(1 << 20);
  Schema schema = version >= 3 ? ReadSchema(in) : ReadSchemaFields(in);
  std::vector<std::string> feature_names = GetStrings(in, "feature names");
  if (!schema.classes.empty() && classes.size() > schema.classes.size()) {
    throw in.Corrupt("more classes than class names");
  }
  auto model = MakeClassifier(name, params);
  model->set_classes(std::move(classes));
  model->set_schema(std::move(schema), std::move(feature_names));
  model->LoadModel(in);
  if (!in.AtEnd()) throw in.Corrupt("unexpected bytes after the model");
  return model;
}

}  // namespace scaleml
