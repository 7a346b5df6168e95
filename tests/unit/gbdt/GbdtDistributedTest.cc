// Data-parallel training: ranks holding shards of the rows train together and every rank ends
// with the same model, equal to the model one process trains on all the rows.
#include <gtest/gtest.h>

#include <mutex>

#include "algo/AlgorithmFactories.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "comm/ThreadComm.h"
#include "unit/gbdt/GbdtTestData.h"

namespace scaleml {
namespace {

std::string TrainAlone(const Dataset& data, const ParamMap& params) {
  auto model = MakeGbdtClassifier(params);
  LocalComm comm;
  model->Fit(data, comm);
  BinaryWriter out;
  model->SaveModel(out);
  return out.Take();
}

// Trains on `ranks` shards; returns every rank's serialised model.
std::vector<std::string> TrainSharded(const Dataset& data, const ParamMap& params, int ranks,
                                      bool contiguous) {
  std::vector<std::string> models(ranks);
  RunRanks(ranks, [&](Comm& comm) {
    Dataset shard = contiguous ? testing::ContiguousShard(data, comm.rank(), ranks)
                               : testing::Shard(data, comm.rank(), ranks);
    auto model = MakeGbdtClassifier(params);
    model->Fit(shard, comm);
    BinaryWriter out;
    model->SaveModel(out);
    models[comm.rank()] = out.Take();
  });
  return models;
}

TEST(GbdtDistributed, EveryRankHasTheSingleProcessModel) {
  Dataset data = testing::MakeClassificationData(4000, 10, 2, 21);
  const ParamMap params = {{"num_iterations", "12"}, {"bin_sample_count", "1500"}};
  const std::string alone = TrainAlone(data, params);
  for (int ranks : {2, 3}) {
    for (bool contiguous : {false, true}) {
      auto models = TrainSharded(data, params, ranks, contiguous);
      for (int r = 0; r < ranks; ++r) {
        EXPECT_EQ(models[r], alone)
            << ranks << " ranks, contiguous " << contiguous << ", rank " << r;
      }
    }
  }
}

TEST(GbdtDistributed, MulticlassWithBaggingSamplingAndEarlyStopping) {
  Dataset data = testing::MakeClassificationData(3000, 8, 3, 22);
  const ParamMap params = {{"num_iterations", "15"},      {"bagging_fraction", "0.8"},
                           {"bagging_freq", "1"},         {"feature_fraction", "0.75"},
                           {"early_stopping_round", "3"}, {"lambda_l1", "0.1"},
                           {"bin_sample_count", "1500"}};
  const std::string alone = TrainAlone(data, params);
  auto models = TrainSharded(data, params, 3, true);
  for (const auto& model : models) EXPECT_EQ(model, alone);
}

TEST(GbdtDistributed, RankWithoutRowsStillAgrees) {
  Dataset data = testing::MakeBlobs(2000, 4, 2, 3.0, 5);
  const ParamMap params = {{"num_iterations", "5"}};
  const std::string alone = TrainAlone(data, params);
  std::vector<std::string> models(2);
  RunRanks(2, [&](Comm& comm) {
    Dataset shard = comm.rank() == 0 ? data.Clone() : testing::RowRange(data, 0, 0);
    auto model = MakeGbdtClassifier(params);
    model->Fit(shard, comm);
    BinaryWriter out;
    model->SaveModel(out);
    models[comm.rank()] = out.Take();
  });
  EXPECT_EQ(models[0], alone);
  EXPECT_EQ(models[1], alone);
}

}  // namespace
}  // namespace scaleml
