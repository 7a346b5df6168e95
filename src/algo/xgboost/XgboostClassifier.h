// XGBoost through libxgboost's C API, configured as XGBClassifier. The model payload is the tag
// "scaleml-xgboost", version 1, the number of features, a 64-bit checksum of the booster bytes,
// then the booster as XGBoost's UBJSON model (the bytes XGBClassifier.save_model("m.ubj")
// writes), so it survives libxgboost upgrades. The checksum keeps damaged bytes away from
// libxgboost's parser, which trusts the lengths inside them.
// Categorical features of the schema are passed with feature type "c" (native categorical
// splits, XGBClassifier's enable_categorical=True), missing values as NaN.
// With monitoring set (Classifier::set_monitoring) Fit reports every report_every rounds on the
// monitor's validation rows (a DMatrix whose predictions libxgboost caches between rounds); with
// warm_start a fitted or loaded booster goes on from its last round (XGBoost's xgb_model).
// Thread-safety: Fit and LoadModel need exclusive access; PredictProba may run from several
// threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "algo/Classifier.h"
#include "algo/xgboost/XgboostHandles.h"
#include "algo/xgboost/XgboostParams.h"

namespace scaleml {

class XgboostClassifier final : public Classifier {
 public:
  explicit XgboostClassifier(XgboostParams params) : params_(std::move(params)) {}

  std::string name() const override { return "xgboost"; }
  ParamMap params() const override { return XgboostSchema().ToMap(params_); }

  // With comm.size() > 1 every rank trains on its own rows inside libxgboost's rabit
  // collective (XgboostCollective; one such fit per process at a time) and ends with the same
  // model, which Fit checks (a checksum gathered over `comm`).
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;

  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  // Boosting rounds in the trained model.
  int rounds() const;

  // The checksum stored before the booster bytes.
  static std::uint64_t BoosterChecksum(std::string_view bytes);

 private:
  int Threads() const;
  // Warm start: throws unless the new training data has the kept model's classes and features.
  void CheckContinuable(const std::vector<std::int32_t>& kept_classes, const Dataset& train) const;
  // Whether Fit reports to the monitor (one process, validation rows with our features).
  bool Monitored(const Dataset& train, const Comm& comm) const;
  // A booster over the training matrix with this fit's parameters, holding the kept model's
  // rounds when warm-starting.
  BoosterPtr CreateBooster(
      void* train, const std::vector<std::pair<std::string, std::string>>& booster_params) const;
  // Rounds first..n_estimators-1 on booster_, reporting on `validation` (null: no reports).
  void BoostRounds(void* train, void* validation, int first);
  RoundDecision Report(void* validation, int iteration) const;
  // An input error for the parameters that cannot split categorical features natively.
  static void CheckCategorical(const XgboostParams& params);
  // An input error for the parameters libxgboost cannot train across ranks.
  static void CheckDistributable(const XgboostParams& params);
  // Throws unless every rank's booster serialises to the same bytes.
  static void CheckRanksAgree(void* booster, Comm& comm);

  XgboostParams params_;
  BoosterPtr booster_;
  std::uint64_t num_features_ = 0;
};

}  // namespace scaleml
