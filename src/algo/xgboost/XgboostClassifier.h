// XGBoost through libxgboost's C API, configured as XGBClassifier. The model payload is
// "scaleml-xgboost" v1, the number of features, then the booster as XGBoost's UBJSON model (the
// same bytes XGBClassifier.save_model("m.ubj") writes), so it survives libxgboost upgrades.
// Thread-safety: Fit and LoadModel need exclusive access; PredictProba may run from several
// threads at once.
#pragma once

#include <cstdint>
#include <string>
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

  // Single process only for now: with comm.size() > 1 it fails, because XGBoost's own rabit
  // collective must sum the histograms across ranks.
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;

  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  // Boosting rounds in the trained model.
  int rounds() const;

 private:
  int Threads() const;

  XgboostParams params_;
  BoosterPtr booster_;
  std::uint64_t num_features_ = 0;
};

}  // namespace scaleml
