// Gradient-boosted trees with LightGBM's algorithm: quantile histogram bins found from a global
// row sample, leaf-wise trees grown on fixed-point gradient histograms (summed over the ranks of
// the Comm, so every rank ends with the same model, and that model is the one a single process
// trains on all the rows), binary logloss or multiclass softmax, bagging, feature sampling and
// early stopping on validation rows picked by a hash of the global row id.
//
// Model payload (after the registry's header, all little-endian):
//   u32 magic 'GBDT', u32 version 1, u8 objective (0 binary, 1 multiclass), i32 features,
//   i32 trees per iteration, f64[] init scores, u64 tree count, then each Tree (Tree::Save).
// Thread-safety: Fit and LoadModel need exclusive access; prediction is const and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algo/Classifier.h"
#include "algo/gbdt/GbdtObjective.h"
#include "algo/gbdt/GbdtParams.h"
#include "algo/gbdt/Tree.h"

namespace scaleml {

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

 private:
  // Raw scores, row-major (rows x trees_per_iteration).
  std::vector<double> PredictRaw(const Dataset& data) const;

  GbdtParams params_;
  GbdtObjective::Kind objective_ = GbdtObjective::Kind::kBinary;
  int features_ = 0;
  int trees_per_iteration_ = 1;
  std::vector<double> init_scores_;
  std::vector<Tree> trees_;  // round-major: tree of class k in round i at i * per_iteration + k
};

}  // namespace scaleml
