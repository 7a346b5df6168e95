// L2-regularised logistic regression that reaches scikit-learn's optimum: binary (one sigmoid),
// multinomial (softmax) or one-vs-rest, fit by Newton's method (or L-BFGS for many parameters)
// on the rows every rank holds, with each data pass summed over ranks: any partitioning gives
// the same coefficients as one process. Categorical features and missing values are encoded
// inside the model (one-hot with rare categories pooled, mean imputation, optional
// standardisation: algo/FeatureEncoder.h); coefficients are over the encoded columns.
// With monitoring set (Classifier::set_monitoring) Fit reports every report_every solver
// iterations (one-vs-rest: counted over its sigmoids, one after another) on the monitor's
// validation rows; warm_start does not apply (every Fit starts from zero weights).
// Thread-safety: Fit and LoadModel need exclusive access; prediction is const and reentrant.
#pragma once

#include <cstdint>
#include <vector>

#include "algo/Classifier.h"
#include "algo/FeatureEncoder.h"
#include "algo/logreg/LogregParams.h"
#include "algo/logreg/LogregSolver.h"

namespace scaleml {

class LogregClassifier final : public Classifier {
 public:
  enum class Kind : std::uint32_t { kSigmoid = 0, kSoftmax = 1, kOneVsRest = 2 };

  explicit LogregClassifier(LogregParams params) : params_(std::move(params)) {}

  std::string name() const override { return "logreg"; }
  ParamMap params() const override;
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;
  std::vector<std::int32_t> Predict(const Dataset& data, Comm& comm) const override;
  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  Kind kind() const { return kind_; }
  // Weight vectors x encoded columns (encoder().output_names()), row-major (scikit-learn's coef_);
  // one row for a binary sigmoid, two for a two-class softmax (scikit-learn reports only the
  // second; the first is its negative).
  const std::vector<double>& coef() const { return coef_; }
  // One per weight vector (scikit-learn's intercept_); zeros without fit_intercept.
  const std::vector<double>& intercept() const { return intercept_; }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  const FeatureEncoder& encoder() const { return encoder_; }

 private:
  int vectors() const { return static_cast<int>(intercept_.size()); }
  // Whether Fit reports to the monitor (one process, validation rows with our input features).
  bool Monitored(const Dataset& train, const Comm& comm) const;
  // The solver(s) on the encoded training rows: coef_, intercept_, iterations_, converged_.
  void Solve(const Dataset& train, SolverOptions options, Comm& comm, bool monitored);
  // Weight vectors first_vector.. from a solver's weights (vectors x (features + intercept)).
  void SetWeights(int first_vector, int vectors, const std::vector<double>& weights);
  void CentreIntercepts();
  // One report: the validation rows' probabilities with the weights so far.
  RoundDecision Report(int iteration) const;
  // The rows of `data` encoded as the model's columns (in `storage` unless unchanged).
  const Dataset& Predictable(const Dataset& data, Dataset& storage) const;
  // Calls consume(begin, count, z) for blocks of rows, in parallel; z holds each weight
  // vector's scores for the block (vector m's at z[m * block size + i]).
  template <class Consume>
  void ScoreBlocks(const Dataset& data, Consume&& consume) const;

  LogregParams params_;
  FeatureEncoder encoder_;
  Kind kind_ = Kind::kSigmoid;
  int features_ = 0;  // encoded columns
  std::vector<double> coef_;
  std::vector<double> intercept_;
  int iterations_ = 0;
  bool converged_ = false;
};

}  // namespace scaleml
