// Data-parallel training: ranks holding shards of the rows train together and every rank ends
// with the same model, equal to the model one process trains on all the rows.
#include <gtest/gtest.h>

#include <mutex>

#include "algo/AlgorithmFactories.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "comm/ThreadComm.h"
#include "unit/gbdt/GbdtTestCategorical.h"
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

// With either way of summing the histograms over the ranks, building ahead or not.
TEST(GbdtDistributed, EveryRankHasTheSingleProcessModel) {
  Dataset data = testing::MakeClassificationData(4000, 10, 2, 21);
  ParamMap params = {{"num_iterations", "12"}, {"bin_sample_count", "1500"}};
  const std::string alone = TrainAlone(data, params);
  for (const char* reduce : {"scatter", "allreduce", "allreduce+ahead"}) {
    const std::string mode = reduce;
    params["histogram_reduce"] = mode == "scatter" ? "scatter" : "allreduce";
    params["build_ahead"] = mode == "allreduce+ahead" ? "true" : "false";
    EXPECT_EQ(TrainAlone(data, params), alone) << reduce;
    for (int ranks : {2, 3}) {
      for (bool contiguous : {false, true}) {
        auto models = TrainSharded(data, params, ranks, contiguous);
        for (int r = 0; r < ranks; ++r) {
          EXPECT_EQ(models[r], alone)
              << reduce << ", " << ranks << " ranks, contiguous " << contiguous << ", rank " << r;
        }
      }
    }
  }
}

// A categorical feature with a category (11) that only the first third of the rows hold, so
// that with contiguous shards one rank alone sees it, and a numeric feature with missing values:
// the bins come from counts summed over the ranks, so every rank count grows the same trees.
TEST(GbdtDistributed, CategoricalAndMissingValuesGiveTheSingleProcessModel) {
  Dataset data = testing::MakeCategoricalData(
      3000, 12, 31,
      [](std::size_t r, std::mt19937& rng) {
        if (r < 1000 && r % 4 == 0) return 11.0f;
        return static_cast<float>(std::uniform_int_distribution<int>(0, 10)(rng));
      },
      [](float code, float noise) {
        const bool in_set = static_cast<int>(code) % 3 == 1 || code == 11.0f;
        return in_set != (noise > 0.8f) ? 1 : 0;
      });
  for (std::size_t r = 0; r < data.rows(); r += 7) data.mutable_column(1)[r] = std::nanf("");
  ParamMap params = {{"num_iterations", "12"}, {"min_data_per_group", "20"}};
  const std::string alone = TrainAlone(data, params);
  GbdtClassifier check(GbdtSchema().Parse(params));
  LocalComm local;
  check.Fit(data, local);
  bool categorical_node = false;
  for (const Tree& tree : check.trees()) {
    for (int n = 0; n < tree.internal_nodes(); ++n) categorical_node |= tree.is_categorical(n);
  }
  EXPECT_TRUE(categorical_node);
  for (const char* reduce : {"scatter", "allreduce"}) {
    params["histogram_reduce"] = reduce;
    for (const char* exchange : {"false", "true"}) {
      params["exchange_rows"] = exchange;
      for (bool contiguous : {true, false}) {
        auto models = TrainSharded(data, params, 3, contiguous);
        for (int r = 0; r < 3; ++r) {
          EXPECT_EQ(models[r], alone) << reduce << ", exchange " << exchange << ", contiguous "
                                      << contiguous << ", rank " << r;
        }
      }
    }
  }
}

struct RankFit {
  std::string model;
  GbdtFitStats stats;
  std::vector<float> proba;  // on the whole data set
};

// Trains on contiguous shards of `data`, as byte ranges of a file give them.
std::vector<RankFit> TrainContiguous(const Dataset& data, const ParamMap& params, int ranks) {
  std::vector<RankFit> fits(ranks);
  RunRanks(ranks, [&](Comm& comm) {
    GbdtClassifier model(GbdtSchema().Parse(params));
    model.Fit(testing::ContiguousShard(data, comm.rank(), ranks), comm);
    RankFit& fit = fits[comm.rank()];
    BinaryWriter out;
    model.SaveModel(out);
    fit.model = out.Take();
    fit.stats = model.fit_stats();
    LocalComm local;
    fit.proba = model.PredictProba(data, local);
  });
  return fits;
}

// The paper's data: every chunk of rows is its own problem, and each rank reads whole chunks.
TEST(GbdtDistributed, PerChunkProblemsOnContiguousShardsGiveTheSingleProcessModel) {
  Dataset data = testing::MakeClassificationData(3000, 6, 2, 23, 500);
  const ParamMap params = {{"num_iterations", "10"}, {"bin_sample_count", "1500"}};
  auto alone = MakeGbdtClassifier(params);
  LocalComm comm;
  alone->Fit(data, comm);
  BinaryWriter out;
  alone->SaveModel(out);
  const std::string alone_model = out.Take();
  const std::vector<float> alone_proba = alone->PredictProba(data, comm);
  for (int ranks : {2, 3}) {
    auto fits = TrainContiguous(data, params, ranks);
    for (int r = 0; r < ranks; ++r) {
      EXPECT_EQ(fits[r].model, alone_model) << ranks << " ranks, rank " << r;
      EXPECT_EQ(fits[r].proba, alone_proba) << ranks << " ranks, rank " << r;
    }
  }
}

// Every histogram allreduce waits for the rank with the most rows of the leaf. Contiguous shards
// of per-chunk problems put most of a leaf on one rank; dealt out at random, each rank holds
// about half of it. Either way the model is the same.
TEST(GbdtDistributed, RowExchangeEvensTheHistogramRowsOfTheRanks) {
  Dataset data = testing::MakeClassificationData(4000, 6, 2, 24, 1000);
  ParamMap params = {{"num_iterations", "8"}, {"bin_sample_count", "1500"}};
  params["exchange_rows"] = "true";
  auto exchanged = TrainContiguous(data, params, 2);
  params["exchange_rows"] = "false";
  auto kept = TrainContiguous(data, params, 2);
  EXPECT_EQ(exchanged[0].model, kept[0].model);
  EXPECT_EQ(exchanged[1].model, kept[0].model);

  // With two ranks the excess of both ranks over the even share is the whole imbalance.
  auto imbalance = [](const std::vector<RankFit>& fits) {
    const HistogramStats& a = fits[0].stats.histograms;
    const HistogramStats& b = fits[1].stats.histograms;
    EXPECT_EQ(a.builds, b.builds);
    EXPECT_DOUBLE_EQ(a.even_share_rows, b.even_share_rows);
    return (a.rows_above_even_share + b.rows_above_even_share) / a.even_share_rows;
  };
  const double with_exchange = imbalance(exchanged);
  const double without = imbalance(kept);
  EXPECT_LT(with_exchange, 0.1);
  EXPECT_GT(without, 3 * with_exchange);
}

// By default the ranks build exactly the histograms one process builds, one allreduce each.
TEST(GbdtDistributed, ByDefaultRanksBuildTheHistogramsOfOneProcess) {
  Dataset data = testing::MakeClassificationData(6000, 5, 2, 25);
  const ParamMap params = {{"num_iterations", "8"}, {"max_bin", "63"}};
  GbdtClassifier alone(GbdtSchema().Parse(params));
  LocalComm local;
  alone.Fit(data, local);
  const HistogramStats& one = alone.fit_stats().histograms;
  auto fits = TrainContiguous(data, params, 2);
  EXPECT_EQ(fits[0].stats.histograms.rows + fits[1].stats.histograms.rows, one.rows);
  for (const RankFit& fit : fits) {
    EXPECT_EQ(fit.stats.histograms.builds, one.builds);
    EXPECT_EQ(fit.stats.histograms.batches, one.builds);
    EXPECT_EQ(fit.stats.training_collectives, one.builds);
  }
}

// With histogram_reduce=allreduce and build_ahead, training sends one allreduce per batch of
// histograms and nothing else (no early stopping here); a histogram travels with its row count
// and sums: 16 bytes a bin, plus 32. Building ahead costs some histograms never used, but few
// rows: those are the smaller children.
TEST(GbdtDistributed, TrainingCollectivesAreTheBatchedHistogramAllreduces) {
  Dataset data = testing::MakeClassificationData(6000, 5, 2, 25);
  const int max_bin = 63;
  const ParamMap params = {{"num_iterations", "8"},
                           {"max_bin", std::to_string(max_bin)},
                           {"histogram_reduce", "allreduce"},
                           {"build_ahead", "true"}};
  GbdtClassifier alone(GbdtSchema().Parse(params));
  LocalComm local;
  alone.Fit(data, local);
  const HistogramStats& one = alone.fit_stats().histograms;
  EXPECT_EQ(one.batches, one.builds);  // one process builds nothing ahead

  auto fits = TrainContiguous(data, params, 2);
  const std::int64_t rows = fits[0].stats.histograms.rows + fits[1].stats.histograms.rows;
  EXPECT_GE(rows, one.rows);
  EXPECT_LT(rows, one.rows * 6 / 5);
  for (const RankFit& fit : fits) {
    const GbdtFitStats& stats = fit.stats;
    EXPECT_EQ(stats.rounds, 8);
    EXPECT_EQ(stats.training_collectives, stats.histograms.batches);
    EXPECT_LT(stats.histograms.batches * 3, one.builds * 2);
    EXPECT_GE(stats.histograms.builds, one.builds);
    EXPECT_LT(stats.histograms.builds, one.builds * 2);
    ASSERT_EQ(stats.training_bytes % stats.histograms.builds, 0);
    const std::int64_t bytes_per_build = stats.training_bytes / stats.histograms.builds;
    EXPECT_EQ(bytes_per_build % 16, 0);
    EXPECT_LE(bytes_per_build, (5 * max_bin + 2) * 16);
    EXPECT_GT(bytes_per_build, 5 * 16);
  }
  // Early stopping adds one collective per round: the validation loss.
  ParamMap stopping = params;
  stopping["early_stopping_round"] = "50";
  for (const RankFit& fit : TrainContiguous(data, stopping, 2)) {
    EXPECT_EQ(fit.stats.training_collectives, fit.stats.histograms.batches + fit.stats.rounds);
  }
}

// With histogram_reduce=scatter each batch is one reduce-scatter, of which a rank
// sends the other ranks' features' bins: about (N-1)/N of the allreduce's bytes, at most one
// feature's bins more (ranks own whole features) plus the row counts and sums that go to every
// rank; then one allgather of two best splits per histogram (one for the root). The same
// histograms are built either way.
TEST(GbdtDistributed, ScatterSendsTheOtherRanksShareOfEachHistogram) {
  Dataset data = testing::MakeClassificationData(6000, 12, 2, 26);
  const int max_bin = 63;
  ParamMap params = {{"num_iterations", "6"}, {"max_bin", std::to_string(max_bin)}};
  for (int ranks : {2, 3}) {
    params["histogram_reduce"] = "allreduce";
    auto allreduce = TrainContiguous(data, params, ranks);
    params["histogram_reduce"] = "scatter";
    auto scatter = TrainContiguous(data, params, ranks);
    for (int r = 0; r < ranks; ++r) {
      const GbdtFitStats& all = allreduce[r].stats;
      const GbdtFitStats& mine = scatter[r].stats;
      EXPECT_EQ(scatter[r].model, allreduce[r].model);
      EXPECT_EQ(mine.histograms.builds, all.histograms.builds);
      EXPECT_EQ(mine.histograms.batches, all.histograms.batches);
      EXPECT_EQ(mine.training_collectives, 2 * mine.histograms.batches);
      const std::int64_t builds = mine.histograms.builds;
      const std::int64_t split_bytes = static_cast<std::int64_t>(sizeof(SplitInfo));
      const std::int64_t histogram_bytes = mine.training_bytes - (2 * builds - 1) * split_bytes;
      const std::int64_t share = all.training_bytes * (ranks - 1) / ranks;
      EXPECT_LE(histogram_bytes, share + builds * (max_bin + 2 * ranks) * 16)
          << ranks << " ranks, rank " << r;
      EXPECT_GE(histogram_bytes, share - builds * max_bin * 16) << ranks << " ranks, rank " << r;
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

// Ranks own whole features: with more ranks than features some own none, and search nothing.
TEST(GbdtDistributed, ScatterWithMoreRanksThanFeatures) {
  Dataset data = testing::MakeBlobs(1500, 2, 2, 1.0, 7);
  const ParamMap params = {{"num_iterations", "5"}, {"histogram_reduce", "scatter"}};
  const std::string alone = TrainAlone(data, params);
  for (const auto& model : TrainSharded(data, params, 3, false)) EXPECT_EQ(model, alone);
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
