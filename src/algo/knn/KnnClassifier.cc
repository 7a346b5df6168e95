#include "algo/knn/KnnClassifier.h"

#include <cmath>
#include <string>

#include "algo/AlgorithmFactories.h"
#include "algo/knn/NearestExchange.h"
#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {

ParamMap KnnClassifier::params() const { return KnnSchema().ToMap(params_); }

void KnnClassifier::Fit(const Dataset& train, Comm& comm) {
  classes_ = GlobalClasses(train, comm);
  const int features = static_cast<int>(train.features());
  if (AllreduceValue(comm, features, ReduceOp::kMax) != features ||
      AllreduceValue(comm, features, ReduceOp::kMin) != features) {
    throw InputError("knn: ranks hold different feature counts (this rank has ", features, ")");
  }
  const auto total = AllreduceSum(comm, static_cast<std::int64_t>(train.rows()));
  if (total < params_.n_neighbors) {
    throw InputError("knn: n_neighbors=", params_.n_neighbors, " is more than the ", total,
                     " training rows");
  }
  // Missing values are imputed (the kd-tree's ordering needs real numbers); infinite ones have
  // no sensible distance (an input error).
  const bool standardize = params_.scale == KnnScale::kStandard ||
                           (params_.scale == KnnScale::kAuto && train.schema().HasCategorical());
  Dataset storage;
  const Dataset& encoded =
      encoder_.FitEncode(train, {params_.min_frequency, standardize}, "knn", comm, storage);
  tree_.Build(encoded, EncodeLabels(encoded, classes_), params_.leaf_size);
  fitted_ = true;
}

std::vector<Neighbor> KnnClassifier::Nearest(const Dataset& input, Comm& comm,
                                             NearestExchangeStats* stats) const {
  if (!fitted_) throw InputError("knn: the model is not trained (call Fit or load one)");
  if (input.features() != encoder_.input_features()) {
    throw InputError("knn: the data has ", input.features(),
                     " features but the model was trained on ", encoder_.input_features());
  }
  // Collective: every rank stops when one holds an infinite query value.
  const ValueScan scan = ScanValues(input);
  if (AllreduceValue(comm, scan.infinite ? 1 : 0, ReduceOp::kMax) != 0) {
    CheckNotInfinite(input, "knn", "query", comm);
  }
  Dataset storage;
  const Dataset& data = encoder_.Encode(input, storage, &scan);
  const std::size_t k = params_.n_neighbors;
  if (comm.size() == 1 && tree_.size() < k) {
    throw InputError("knn: the model holds ", tree_.size(), " rows, fewer than n_neighbors=", k);
  }
  const std::vector<float> queries = data.RowMajor();
  return ExchangeNearest(tree_, queries, data.rows(), params_.n_neighbors, comm,
                         kExchangeBatchQueries, stats);
}

std::vector<float> KnnClassifier::PredictProba(const Dataset& data, Comm& comm) const {
  const std::vector<Neighbor> nearest = Nearest(data, comm);
  const std::size_t k = params_.n_neighbors;
  const std::size_t classes = classes_.size();
  const std::size_t rows = data.rows();
  std::vector<float> proba(rows * classes, 0.0f);
#pragma omp parallel for schedule(static) if (rows >= 1024)
  for (std::size_t q = 0; q < rows; ++q) {
    std::vector<int> votes(classes, 0);
    for (std::size_t j = 0; j < k; ++j) {
      const int label = nearest[q * k + j].label;
      if (label >= 0 && static_cast<std::size_t>(label) < classes) ++votes[label];
    }
    for (std::size_t c = 0; c < classes; ++c) {
      proba[q * classes + c] = static_cast<float>(votes[c]) / static_cast<float>(k);
    }
  }
  return proba;
}

// Payload: the KdTree (its encoded training rows in tree order, with labels and global row ids),
// then the feature encoder.
void KnnClassifier::SaveModel(BinaryWriter& out) const {
  if (!fitted_) throw InputError("knn: the model is not trained; nothing to save");
  tree_.Save(out);
  encoder_.Save(out);
}

void KnnClassifier::LoadModel(BinaryReader& in) {
  if (classes_.size() < 2) throw in.Corrupt("knn model with fewer than two classes");
  tree_.Load(in, static_cast<int>(classes_.size()));
  FeatureEncoder encoder;
  encoder.Load(in);
  if (encoder.output_features() != static_cast<std::size_t>(tree_.features())) {
    throw in.Corrupt("the feature encoding does not match the kd-tree");
  }
  encoder_ = std::move(encoder);
  fitted_ = true;
}

const ParamSchemaBase& KnnParamSchema() { return KnnSchema(); }

std::unique_ptr<Classifier> MakeKnnClassifier(const ParamMap& params) {
  return std::make_unique<KnnClassifier>(KnnSchema().Parse(params));
}

}  // namespace scaleml
