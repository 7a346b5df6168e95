// The interface every classifier implements. One implementation per algorithm, data-parallel from
// the start: Fit() trains on the rows this process holds and reaches the other ranks' rows
// through the Comm (LocalComm is the single-machine case). Labels are the raw integer values of
// the target column; classes() lists them sorted (the same on every rank after Fit).
// The schema of the training data (column types, category dictionaries, class names) and its
// feature names travel with the model into its file: FitModel() records them and calls Fit(), so
// every algorithm gets them without its Fit doing anything (callers use FitModel; a bare Fit
// leaves schema() as it was).
// Thread-safety: Fit and LoadModel need exclusive access; prediction is const and may run from
// several threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algo/BinaryIO.h"
#include "algo/ParamSchema.h"
#include "algo/TrainingMonitor.h"
#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

class Classifier {
 public:
  virtual ~Classifier() = default;

  // The registry name ("gbdt", "xgboost", "logreg", "rf", "knn").
  virtual std::string name() const = 0;
  // Every parameter's effective value, as text.
  virtual ParamMap params() const = 0;

  // Trains on the rows held here; collective: every rank of `comm` calls it.
  virtual void Fit(const Dataset& train, Comm& comm) = 0;
  // Class probabilities, row-major: rows x classes().size(). Collective where the model itself
  // is spread over ranks (knn); other algorithms ignore `comm`.
  virtual std::vector<float> PredictProba(const Dataset& data, Comm& comm) const = 0;
  // Predicted labels; the default takes the most probable class, the lowest on ties.
  virtual std::vector<std::int32_t> Predict(const Dataset& data, Comm& comm) const;

  const std::vector<std::int32_t>& classes() const { return classes_; }
  // For model loading: the classes come from the model file's header.
  void set_classes(std::vector<std::int32_t> classes) { classes_ = std::move(classes); }

  // The schema of the data the model was trained on (set by FitModel or from the model file);
  // an all-numeric empty schema before that. The name of label value c is schema().ClassName(c).
  const Schema& schema() const { return schema_; }
  // The training data's feature names, in feature order (empty when unknown).
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  void set_schema(Schema schema, std::vector<std::string> feature_names) {
    schema_ = std::move(schema);
    feature_names_ = std::move(feature_names);
  }

  // Per-round reports during the next Fit (algo/TrainingMonitor.h); algorithms that do not
  // iterate ignore it. The pointers must outlive Fit.
  void set_monitoring(FitMonitoring monitoring) { monitoring_ = monitoring; }
  const FitMonitoring& monitoring() const { return monitoring_; }
  // scikit-learn's warm_start: when set and the model already holds rounds (from an earlier Fit
  // or LoadModel, e.g. a checkpoint), gbdt and xgboost's next Fit adds rounds up to
  // n_estimators instead of starting over (LightGBM's init_model, XGBoost's xgb_model); the
  // other algorithms start over. Off by default: a second Fit retrains from scratch.
  void set_warm_start(bool warm_start) { warm_start_ = warm_start; }
  bool warm_start() const { return warm_start_; }

  // Cooperative cancellation (Ctrl-C in the Python binding): once *flag is true, Fit stops at
  // the next boosting round (gbdt, xgboost), solver iteration (logreg) or tree (rf) by throwing
  // the Failure of ThrowIfCancelled; the half-trained model is to be refitted or discarded. Only
  // for Fit in one process (LocalComm): a rank that stops alone would leave the others waiting.
  // Null (the default): never cancelled. The flag must outlive Fit.
  void set_cancel_flag(const std::atomic<bool>* flag) { cancel_flag_ = flag; }
  const std::atomic<bool>* cancel_flag() const { return cancel_flag_; }
  bool cancel_requested() const {
    return cancel_flag_ != nullptr && cancel_flag_->load(std::memory_order_relaxed);
  }
  void ThrowIfCancelled() const;

  // The algorithm's own part of a model file (the header is written by ModelFile).
  virtual void SaveModel(BinaryWriter& out) const = 0;
  virtual void LoadModel(BinaryReader& in) = 0;

 protected:
  std::vector<std::int32_t> classes_;

 private:
  FitMonitoring monitoring_;
  bool warm_start_ = false;
  const std::atomic<bool>* cancel_flag_ = nullptr;
  Schema schema_;
  std::vector<std::string> feature_names_;
};

// Trains `model` on `train` (collective, as Fit) after recording the training data's schema and
// feature names in it: what every caller that may save the model uses.
void FitModel(Classifier& model, const Dataset& train, Comm& comm);

// Sorted union of the labels held by all ranks; an input error if fewer than two classes.
std::vector<std::int32_t> GlobalClasses(const Dataset& data, Comm& comm);
// Each row's index into `classes` (labels must all be present in it).
std::vector<std::int32_t> EncodeLabels(const Dataset& data,
                                       const std::vector<std::int32_t>& classes);
// Collective: an input error on every rank when any rank holds a missing or infinite feature
// value (CheckNotInfinite: an infinite one; missing values are allowed), so all of them stop
// together instead of leaving the others waiting in a collective. `what` names the rows
// ("training", "query") in the message.
void CheckFinite(const Dataset& data, const char* algorithm, const char* what, Comm& comm);
void CheckNotInfinite(const Dataset& data, const char* algorithm, const char* what, Comm& comm);
// Most probable class per row from row-major probabilities (lowest index on ties).
std::vector<std::int32_t> ArgmaxLabels(const std::vector<float>& proba,
                                       const std::vector<std::int32_t>& classes);

}  // namespace scaleml
