// Gradient-boosted trees with LightGBM's algorithm: quantile histogram bins found from a global
// row sample, leaf-wise trees grown on fixed-point gradient histograms (summed over the ranks of
// the Comm, so every rank ends with the same model, and that model is the one a single process
// trains on all the rows), binary logloss or multiclass softmax, bagging, feature sampling and
// early stopping on validation rows picked by a hash of the global row id. With monitoring set
// (Classifier::set_monitoring) it reports every report_every rounds on the monitor's validation
// rows, whose raw scores it keeps round by round; with warm_start a fitted or loaded model
// continues from its last round (LightGBM's init_model). Categorical features
// (the Dataset's schema) get one bin per frequent category and LightGBM's categorical splits;
// missing values of numeric features get a bin of their own and every split learns their side
// (FeatureBins, SplitFinder). With exchange_rows and several ranks the training rows are first
// dealt out at random (RowExchange), so that every histogram allreduce waits for about 1/size of
// the leaf's rows on each rank, whatever the shards held.
//
// Model payload (after the registry's header, all little-endian):
//   u32 magic 'GBDT', u32 version 2 (1: trees without decisions, still read), u8 objective
//   (0 binary, 1 multiclass), i32 features, i32 trees per iteration, f64[] init scores, u64 tree
//   count, then each Tree (Tree::Save).
// Thread-safety: Fit and LoadModel need exclusive access; prediction is const and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algo/Classifier.h"
#include "algo/gbdt/GbdtObjective.h"
#include "algo/gbdt/GbdtParams.h"
#include "algo/gbdt/HistogramTreeLearner.h"
#include "algo/gbdt/PackedForest.h"
#include "algo/gbdt/Tree.h"

namespace scaleml {

// What the last Fit cost this rank in communication. Setup (classes, bins, row exchange) is
// apart from training, whose collectives are the histogram allreduces plus, with early
// stopping, one of the validation loss per round.
struct GbdtFitStats {
  int rounds = 0;
  std::int64_t setup_collectives = 0;
  std::int64_t setup_bytes = 0;
  std::int64_t training_collectives = 0;
  std::int64_t training_bytes = 0;
  HistogramStats histograms;
};

class GbdtClassifier final : public Classifier {
 public:
  explicit GbdtClassifier(GbdtParams params) : params_(std::move(params)) {}

  std::string name() const override { return "gbdt"; }
  ParamMap params() const override;
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;
  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  const std::vector<Tree>& trees() const { return trees_; }
  const std::vector<double>& init_scores() const { return init_scores_; }
  // Rounds kept (after early stopping).
  int iterations() const;
  const GbdtFitStats& fit_stats() const { return fit_stats_; }

 private:
  struct FitContext;
  // Fit, in its steps: the classes, objective and feature count agreed by the ranks; the
  // training and validation rows; the bins and the binned rows; the initial scores; then one
  // boosting round at a time (false: stop).
  void SetUpClassesAndFeatures(const Dataset& local, Comm& comm);
  // Warm start: throws unless the new training data has the kept model's classes and features.
  void CheckContinuable(const std::vector<std::int32_t>& kept_classes, int kept_features,
                        GbdtObjective::Kind kept_objective) const;
  void ChooseTrainingRows(FitContext& fit) const;
  void FindBins(FitContext& fit) const;
  // The initial scores (from the labels), or when continuing the kept model's raw predictions.
  void InitScores(FitContext& fit);
  void InitScoresFromModel(FitContext& fit) const;
  // Rounds first..num_iterations-1 (fewer on early stopping or a monitor's kStop).
  void BoostRounds(FitContext& fit, int first);
  bool BoostOneRound(FitContext& fit, int it);
  // Whether Fit reports to the monitor (one process, validation rows with our features).
  bool Monitored(const Comm& comm) const;
  // One report: the validation rows' probabilities with the trees so far.
  RoundDecision Report(FitContext& fit) const;
  // The rows this round's trees fit (a bag, or all training rows).
  const std::vector<std::uint32_t>& DrawBag(FitContext& fit, int it) const;
  // Adds a tree's leaf values to the scores of the rows (class k's scores).
  void AddTreeToScores(const FitContext& fit, const Tree& tree, bool all_rows,
                       double* class_scores) const;
  // Early stopping after round `it`: true when the validation loss has not improved for
  // early_stopping_round rounds (the trees after the best round are then dropped).
  bool ShouldStopEarly(FitContext& fit, int it);

  // Raw scores, row-major (rows x trees_per_iteration).
  std::vector<double> PredictRaw(const Dataset& data) const;

  GbdtParams params_;
  GbdtObjective::Kind objective_ = GbdtObjective::Kind::kBinary;
  int features_ = 0;
  int trees_per_iteration_ = 1;
  std::vector<double> init_scores_;
  std::vector<Tree> trees_;  // round-major: tree of class k in round i at i * per_iteration + k
  GbdtFitStats fit_stats_;
  // The trees packed for prediction: built on the first prediction after Fit or LoadModel (which
  // drop it) and kept, so that predicting a row does not pack the whole forest each time.
  PackedForestCache packed_;
};

}  // namespace scaleml
