#include "algo/xgboost/XgboostClassifier.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "algo/AlgorithmFactories.h"
#include "algo/xgboost/XgboostCollective.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "core/Log.h"

namespace scaleml {
namespace {

constexpr std::string_view kPayloadTag = "scaleml-xgboost";
constexpr std::uint32_t kPayloadVersion = 1;

// Class probabilities (rows x k) from libxgboost's prediction of `rows` rows.
std::vector<float> ProbabilitiesOf(const float* result, const bst_ulong* shape, bst_ulong dims,
                                   std::size_t rows, std::size_t k) {
  const std::size_t outputs = dims == 2 ? shape[1] : 0;
  if (dims != 2 || shape[0] != rows || (outputs != k && !(k == 2 && outputs == 1))) {
    throw Failure("xgboost: prediction has an unexpected shape for ", rows, " rows and ", k,
                  " classes");
  }
  std::vector<float> proba(rows * k);
  if (outputs == 1) {
    // binary:logistic gives P(class 1) only.
    for (std::size_t r = 0; r < rows; ++r) {
      proba[2 * r] = 1.0f - result[r];
      proba[2 * r + 1] = result[r];
    }
  } else {
    std::copy(result, result + proba.size(), proba.begin());
  }
  return proba;
}

}  // namespace

std::uint64_t XgboostClassifier::BoosterChecksum(std::string_view bytes) {
  // FNV-1a over 8-byte words, finished by a strong mix: fast enough for models of many MB.
  std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * 0x100000001b3ULL;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ULL;
  return Mix64(h);
}

int XgboostClassifier::Threads() const {
  return params_.nthread > 0 ? params_.nthread : omp_get_max_threads();
}

void XgboostClassifier::Fit(const Dataset& train, Comm& comm) {
  if (comm.size() > 1) CheckDistributable(params_);
  // Warm start continues the booster held now (XGBoost's xgb_model).
  const bool continuing = warm_start() && booster_ != nullptr;
  const std::vector<std::int32_t> kept_classes = classes_;
  classes_ = GlobalClasses(train, comm);
  if (continuing) CheckContinuable(kept_classes, train);
  const int num_classes = static_cast<int>(classes_.size());
  const std::vector<std::int32_t> codes = EncodeLabels(train, classes_);

  // Across ranks libxgboost's own collective sums the sketches and histograms: it must be
  // joined before the training matrix is built (the quantile sketch is global) and left on every
  // path out (the scope's destructor).
  std::unique_ptr<XgboostCollective> collective;
  if (comm.size() > 1) {
    collective = std::make_unique<XgboostCollective>(comm, params_.tracker_timeout_s);
  }
  const bool quantile = params_.tree_method == XgboostTreeMethod::kHist &&
                        params_.booster != XgboostBooster::kGblinear;
  const std::vector<std::string> feature_types =
      XgboostFeatureTypes(train, params_.enable_categorical);
  if (!feature_types.empty()) CheckCategorical(params_);
  DMatrixPtr matrix = MakeTrainMatrix(train, quantile, params_.max_bin, Threads(), feature_types);
  CheckXgb(XGDMatrixSetInfoFromInterface(matrix.get(), "label",
                                         Int32ArrayInterface(codes.data(), codes.size()).c_str()),
           "setting the labels");
  DMatrixPtr validation;
  if (Monitored(train, comm)) {
    validation =
        MakeTrainMatrix(*monitoring().validation, false, params_.max_bin, Threads(), feature_types);
  }
  const int first = continuing ? rounds() : 0;
  // Set before boosting, so that a monitor sees (and may save) the rounds so far.
  booster_ = CreateBooster(matrix.get(), XgboostBoosterParams(params_, num_classes, Threads()));
  num_features_ = train.features();
  BoostRounds(matrix.get(), validation.get(), first);
  if (collective) {
    collective->Finish();
    CheckRanksAgree(booster_.get(), comm);
  }
}

void XgboostClassifier::CheckContinuable(const std::vector<std::int32_t>& kept_classes,
                                         const Dataset& train) const {
  if (kept_classes != classes_ || num_features_ != train.features()) {
    throw InputError("xgboost: warm start: the model holds ", kept_classes.size(), " classes and ",
                     num_features_, " features, the training data has ", classes_.size(),
                     " classes and ", train.features(),
                     " features; continue a model on data like the one it was trained on, or "
                     "turn warm start off");
  }
}

bool XgboostClassifier::Monitored(const Dataset& train, const Comm& comm) const {
  const FitMonitoring& monitoring = this->monitoring();
  if (!monitoring.enabled()) return false;
  if (comm.size() > 1) {
    LogWarning("xgboost: per-round reports need one process; training ", comm.size(),
               " ranks without them");
    return false;
  }
  if (monitoring.validation->features() != train.features()) {
    throw InputError("xgboost: the validation rows have ", monitoring.validation->features(),
                     " features, the training data ", train.features());
  }
  return true;
}

BoosterPtr XgboostClassifier::CreateBooster(
    void* train, const std::vector<std::pair<std::string, std::string>>& booster_params) const {
  DMatrixHandle cache[] = {train};
  BoosterHandle handle = nullptr;
  CheckXgb(XGBoosterCreate(cache, 1, &handle), "creating the booster");
  BoosterPtr booster(handle);
  if (warm_start() && booster_) {
    // As xgboost.train(xgb_model=...): the kept model first, then this fit's parameters.
    bst_ulong length = 0;
    const char* bytes = nullptr;
    CheckXgb(XGBoosterSaveModelToBuffer(booster_.get(), "{\"format\": \"ubj\"}", &length, &bytes),
             "serialising the model to continue");
    CheckXgb(XGBoosterLoadModelFromBuffer(handle, bytes, length), "loading the model to continue");
  }
  for (const auto& [key, value] : booster_params) {
    CheckXgb(XGBoosterSetParam(handle, key.c_str(), value.c_str()),
             StrCat("setting parameter ", key, "=", value).c_str(), Error::Kind::kInput);
  }
  return booster;
}

void XgboostClassifier::BoostRounds(void* train, void* validation, int first) {
  const int every = std::max(1, monitoring().report_every);
  int last_reported = first;
  for (int round = first; round < params_.n_estimators; ++round) {
    ThrowIfCancelled();
    // The first round validates the parameter combination (max_depth=0 with depthwise, ...).
    CheckXgb(XGBoosterUpdateOneIter(booster_.get(), round, train),
             StrCat("boosting round ", round + 1).c_str(),
             round == first ? Error::Kind::kInput : Error::Kind::kFailure);
    if (validation != nullptr && (round + 1) % every == 0) {
      last_reported = round + 1;
      if (Report(validation, last_reported) == RoundDecision::kStop) {
        LogInfo("xgboost: stopped by the monitor after round ", last_reported);
        return;
      }
    }
  }
  if (validation != nullptr && last_reported != rounds()) Report(validation, rounds());
}

RoundDecision XgboostClassifier::Report(void* validation, int iteration) const {
  // A matrix the booster has predicted before keeps its predictions in the booster's cache, so
  // each report adds only the trees since the last one.
  const char* config =
      "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
      "\"strict_shape\": true}";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  CheckXgb(XGBoosterPredictFromDMatrix(booster_.get(), validation, config, &shape, &dims, &result),
           "predicting the validation rows");
  const std::vector<float> proba =
      ProbabilitiesOf(result, shape, dims, monitoring().validation->rows(), classes_.size());
  return monitoring().monitor->OnRound(iteration, proba, *this);
}

void XgboostClassifier::CheckCategorical(const XgboostParams& params) {
  if (params.booster == XgboostBooster::kGblinear ||
      params.tree_method == XgboostTreeMethod::kExact) {
    throw InputError(
        "xgboost: the data has categorical features, which booster=", XgboostName(params.booster),
        " with tree_method=", XgboostName(params.tree_method),
        " cannot split on; use tree_method=hist (the default) or approx with a tree "
        "booster, or enable_categorical=false to treat their codes as numbers");
  }
}

void XgboostClassifier::CheckDistributable(const XgboostParams& params) {
  // Every rank holds the same parameters, so all of them stop here together.
  if (params.booster == XgboostBooster::kGblinear) {
    throw InputError(
        "xgboost: booster=gblinear cannot train across ranks: libxgboost 1.7's linear updaters do "
        "not sum their gradients over the rabit collective, so each rank would fit its own "
        "model; use booster=gbtree or dart, or the local or tasks engine");
  }
  if (params.tree_method == XgboostTreeMethod::kExact) {
    throw InputError(
        "xgboost: tree_method=exact cannot train across ranks (libxgboost's exact updater is "
        "single-process); use tree_method=hist (the default) or approx");
  }
}

void XgboostClassifier::CheckRanksAgree(void* booster, Comm& comm) {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  CheckXgb(XGBoosterSaveModelToBuffer(booster, "{\"format\": \"ubj\"}", &length, &bytes),
           "serialising the model");
  const std::uint64_t mine = BoosterChecksum(std::string_view(bytes, length));
  const std::vector<std::uint64_t> all =
      AllgatherConcat(comm, std::span<const std::uint64_t>(&mine, 1));
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      throw Failure("xgboost: rank ", comm.rank(), ": rank ", r,
                    "'s model differs from rank 0's after training across ranks (checksums ",
                    all[r], " and ", all[0],
                    "); this is a bug in the rabit set-up, train on one "
                    "rank meanwhile");
    }
  }
  LogInfo("xgboost: rank ", comm.rank(), ": all ", all.size(), " ranks hold the same model (",
          length, " bytes, checksum ", mine, ")");
}

std::vector<float> XgboostClassifier::PredictProba(const Dataset& data, Comm&) const {
  if (!booster_) throw Failure("xgboost: predict called before fit or load");
  if (data.features() != num_features_) {
    throw InputError("xgboost: the model was trained on ", num_features_,
                     " features, the data has ", data.features());
  }
  const std::size_t k = classes_.size();
  if (data.rows() == 0) return {};

  const std::string interface = FeatureArrayInterface(data);
  const std::string config =
      "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
      "\"strict_shape\": true, \"missing\": NaN, \"cache_id\": 0}";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  CheckXgb(XGBoosterPredictFromDense(booster_.get(), interface.c_str(), config.c_str(), nullptr,
                                     &shape, &dims, &result),
           "predicting");
  return ProbabilitiesOf(result, shape, dims, data.rows(), k);
}

int XgboostClassifier::rounds() const {
  if (!booster_) return 0;
  int rounds = 0;
  CheckXgb(XGBoosterBoostedRounds(booster_.get(), &rounds), "counting rounds");
  return rounds;
}

void XgboostClassifier::SaveModel(BinaryWriter& out) const {
  if (!booster_) throw Failure("xgboost: save called before fit or load");
  bst_ulong length = 0;
  const char* bytes = nullptr;
  CheckXgb(XGBoosterSaveModelToBuffer(booster_.get(), "{\"format\": \"ubj\"}", &length, &bytes),
           "serialising the model");
  out.PutString(kPayloadTag);
  out.Put<std::uint32_t>(kPayloadVersion);
  const std::string_view booster(bytes, length);
  out.Put<std::uint64_t>(num_features_);
  out.Put<std::uint64_t>(BoosterChecksum(booster));
  out.PutString(booster);
}

void XgboostClassifier::LoadModel(BinaryReader& in) {
  const std::size_t start = in.offset();
  std::string tag = in.GetString();
  if (tag != kPayloadTag) {
    throw InputError(in.source(), ": the model payload at byte ", start,
                     " is not an xgboost model (found another kind of data); save it again with "
                     "scaleml train --algo xgboost --save-model");
  }
  auto version = in.Get<std::uint32_t>();
  if (version != kPayloadVersion) throw in.Corrupt(StrCat("xgboost payload version ", version));
  num_features_ = in.Get<std::uint64_t>();
  if (num_features_ == 0 || num_features_ > (1u << 24)) throw in.Corrupt("feature count");
  const auto checksum = in.Get<std::uint64_t>();
  std::string model = in.GetString();
  if (BoosterChecksum(model) != checksum) {
    throw in.Corrupt("the xgboost booster's checksum does not match (the file is damaged)");
  }
  if (classes_.size() < 2) throw in.Corrupt("fewer than two classes");

  BoosterHandle handle = nullptr;
  CheckXgb(XGBoosterCreate(nullptr, 0, &handle), "creating the booster");
  BoosterPtr booster(handle);
  CheckXgb(XGBoosterLoadModelFromBuffer(handle, model.data(), model.size()),
           StrCat("reading the booster from ", in.source()).c_str(), Error::Kind::kInput);
  CheckXgb(XGBoosterSetParam(handle, "nthread", std::to_string(Threads()).c_str()),
           "setting nthread");
  bst_ulong model_features = 0;
  CheckXgb(XGBoosterGetNumFeature(handle, &model_features), "reading the feature count");
  if (model_features != num_features_) {
    throw in.Corrupt(
        StrCat("the booster has ", model_features, " features, the header says ", num_features_));
  }
  booster_ = std::move(booster);
}

std::unique_ptr<Classifier> MakeXgboostClassifier(const ParamMap& params) {
  return std::make_unique<XgboostClassifier>(XgboostSchema().Parse(params));
}

}  // namespace scaleml
