// Random forest classifier (registry name "rf") with scikit-learn's defaults.
//
// Data-parallel fit: every rank ends with the same forest, the one that a single process holding
// all the rows grows, whatever the rank count and the layout of rows in the file: the bins, each
// tree's bootstrap sample and its feature draws depend only on the whole training set and the
// seed, and tree t is grown on rank t % size from its sample's rows sent there by every rank
// (ForestGrowth.h). Trees are grown in parallel with OpenMP (omp_get_max_threads() at a time).
//
// Categorical features (Schema::IsCategorical) are split natively on subsets of categories and
// missing values (NaN) on a learnt default direction (ForestBins.h, Grower.h, DecisionTree.h).
//
// Model payload (after the registry's header): uint32 magic "RFT2", int32 features, int32
// classes; uint64 features, then per feature uint8 categorical and, when 1, its category map
// (uint64 count, uint8 bin per code); uint64 trees, then per tree its nodes (uint64 count,
// 12-byte TreeNode each), its leaf table (uint64 count, float32 class fractions) and its
// category set table (uint64 count, uint32 words), all little-endian.
// With monitoring set (Classifier::set_monitoring) and one process, Fit reports every
// report_every trees on the monitor's validation rows (the running sums of the trees' leaf
// fractions); warm_start does not apply (every Fit grows a new forest).
// Thread-safety: Fit and LoadModel need exclusive access; prediction may run concurrently.
#pragma once

#include <vector>

#include "algo/Classifier.h"
#include "algo/forest/DecisionTree.h"
#include "algo/forest/ForestBins.h"
#include "algo/forest/ForestGrowth.h"
#include "algo/forest/ForestParams.h"

namespace scaleml {

class ForestClassifier final : public Classifier {
 public:
  explicit ForestClassifier(ForestParams params) : params_(std::move(params)) {}

  std::string name() const override { return "rf"; }
  ParamMap params() const override;
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;
  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  const std::vector<DecisionTree>& trees() const { return trees_; }
  int features() const { return features_; }

 private:
  // Whether Fit reports to the monitor (one process, validation rows with our features).
  bool Monitored(const Dataset& train, const Comm& comm) const;
  // The trees a batch at a time, reporting every report_every trees.
  void GrowMonitored(const ForestRows& rows, std::uint64_t seed);
  // The rows of `data` row-major, categorical codes mapped as prediction maps them.
  std::vector<float> RowMajor(const Dataset& data) const;
  // Adds each row's leaf fractions in `tree` to its class sums (rows x classes).
  void AddLeafFractions(const DecisionTree& tree, const std::vector<float>& rows,
                        std::vector<double>& sums) const;

  ForestParams params_;
  int features_ = 0;
  ForestBins category_maps_;  // the categorical features' code -> bin maps (no numeric bounds)
  std::vector<DecisionTree> trees_;
};

}  // namespace scaleml
