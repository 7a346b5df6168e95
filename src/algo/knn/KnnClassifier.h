// Exact k-nearest-neighbour classification with scikit-learn's rule (uniform votes, the lowest
// class on tied counts). The training rows are the model: each rank indexes the rows it holds in
// a KdTree; prediction is collective, every rank searching every rank's queries and the k-best
// lists merged by (distance, global row id), so any partitioning predicts as one process does.
// Distances are over the encoded columns (algo/FeatureEncoder.h): categorical features one-hot,
// numeric NaN imputed with the training mean, numeric columns standardised when the table has
// categorical features (parameter scale).
// Fit does not iterate (it indexes the rows), so it makes no per-round reports: a monitor set
// with Classifier::set_monitoring is never called, and warm_start does not apply.
// Thread-safety: Fit and LoadModel need exclusive access; prediction is const and reentrant
// (collective when the Comm has several ranks).
#pragma once

#include <cstdint>
#include <vector>

#include "algo/Classifier.h"
#include "algo/FeatureEncoder.h"
#include "algo/knn/KdTree.h"
#include "algo/knn/KnnParams.h"
#include "algo/knn/NearestExchange.h"

namespace scaleml {

class KnnClassifier final : public Classifier {
 public:
  explicit KnnClassifier(KnnParams params) : params_(std::move(params)) {}

  std::string name() const override { return "knn"; }
  ParamMap params() const override;
  void Fit(const Dataset& train, Comm& comm) override;
  std::vector<float> PredictProba(const Dataset& data, Comm& comm) const override;
  void SaveModel(BinaryWriter& out) const override;
  void LoadModel(BinaryReader& in) override;

  // The k nearest training rows of every row of `data` over all ranks, sorted by (distance,
  // row id): rows x k. Collective. `stats`, when given, accumulates the work and traffic.
  const FeatureEncoder& encoder() const { return encoder_; }

  std::vector<Neighbor> Nearest(const Dataset& data, Comm& comm,
                                NearestExchangeStats* stats = nullptr) const;

 private:
  KnnParams params_;
  FeatureEncoder encoder_;
  bool fitted_ = false;
  KdTree tree_;
};

}  // namespace scaleml
