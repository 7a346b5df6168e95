// The data-parallel fit: whatever the rank count and whichever rows each rank holds (contiguous
// shards, as byte-range partitions of a file give them, or interleaved ones), the ranks grow the
// forest that one process holding all the rows grows, and every rank ends with all of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "algo/RowExchange.h"
#include "algo/forest/ForestClassifier.h"
#include "algo/forest/ForestGrowth.h"
#include "algo/forest/SampleRows.h"
#include "comm/ThreadComm.h"
#include "core/Threads.h"
#include "data/ClassificationGenerator.h"
#include "data/TrainTestSplit.h"
#include "unit/forest/ForestTestUtil.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::ContiguousShard;
using testing::FitForest;
using testing::ForestAccuracy;
using testing::MakeBlobs;
using testing::ModelBytes;
using testing::Shard;

// make_classification rows; with `per_chunk` every `chunk` rows are an independent problem, as
// in the paper's data.
Dataset Generated(std::int64_t rows, std::int64_t chunk, bool per_chunk, std::uint64_t seed) {
  GeneratorParams params;
  params.samples = rows;
  params.chunk_size = chunk;
  params.problem_per_chunk = per_chunk;
  params.seed = seed;
  return GenerateDataset(params);
}

struct RanksFit {
  std::vector<std::string> models;  // per rank
  std::vector<CommStats> stats;     // per rank
  std::vector<int> threads;         // per rank
};

// `uneven_threads`: rank r runs r + 1 OpenMP threads (rounds of one tree per rank).
RanksFit FitOnRanks(const Dataset& train, const ParamMap& params, int size, bool contiguous,
                    bool uneven_threads = false) {
  RanksFit out;
  out.models.resize(size);
  out.stats.resize(size);
  out.threads.resize(size);
  RunRanks(size, [&](Comm& comm) {
    if (uneven_threads) SetThreads(comm.rank() + 1);  // this rank's thread only
    auto model = MakeForestClassifier(params);
    const Dataset mine =
        contiguous ? ContiguousShard(train, comm.rank(), size) : Shard(train, comm.rank(), size);
    model->Fit(mine, comm);
    out.models[comm.rank()] = ModelBytes(*model);
    out.stats[comm.rank()] = comm.stats();
    out.threads[comm.rank()] = GetThreads();
  });
  return out;
}

TEST(Bootstrap, CountsArePoissonOneByRowId) {
  const std::size_t n = 200000;
  std::vector<std::int64_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::int64_t>(i) * 7 + 3;
  std::vector<std::uint16_t> weights;
  const std::size_t kept = BootstrapWeights(ids, 11, 4, true, &weights);
  ASSERT_EQ(weights.size(), n);
  std::vector<std::size_t> histogram(8, 0);
  double sum = 0.0;
  for (std::uint16_t w : weights) {
    sum += w;
    ++histogram[std::min<std::size_t>(w, 7)];
  }
  EXPECT_EQ(kept, n - histogram[0]);
  EXPECT_NEAR(sum / n, 1.0, 0.01);
  EXPECT_NEAR(histogram[0] / double(n), std::exp(-1.0), 0.005);
  EXPECT_NEAR(histogram[1] / double(n), std::exp(-1.0), 0.005);
  EXPECT_NEAR(histogram[2] / double(n), std::exp(-1.0) / 2, 0.005);
  EXPECT_NEAR(histogram[3] / double(n), std::exp(-1.0) / 6, 0.003);

  // A row's count is its own: the same in any subset and order of rows, different per tree.
  std::vector<std::int64_t> some = {ids[9], ids[2], ids[5000]};
  std::vector<std::uint16_t> some_weights;
  BootstrapWeights(some, 11, 4, true, &some_weights);
  EXPECT_EQ(some_weights, (std::vector<std::uint16_t>{weights[9], weights[2], weights[5000]}));
  std::vector<std::uint16_t> other_tree;
  BootstrapWeights(ids, 11, 5, true, &other_tree);
  EXPECT_NE(other_tree, weights);

  EXPECT_EQ(BootstrapWeights(some, 11, 4, false, &some_weights), 3u);
  EXPECT_EQ(some_weights, (std::vector<std::uint16_t>{1, 1, 1}));
}

TEST(ForestDistributed, RanksGrowTheSingleProcessForestWhateverTheLayout) {
  const ParamMap params = {{"n_estimators", "7"}, {"random_state", "3"}};
  for (bool per_chunk : {false, true}) {
    TrainTest split = SplitTrainTest(Generated(6000, 1000, per_chunk, 8), SplitOptions{});
    const auto single = FitForest(split.train, params);
    const std::string expected = ModelBytes(*single);
    for (int size : {2, 3}) {
      for (bool contiguous : {true, false}) {
        // Interleaved shards also on ranks of different thread counts.
        const RanksFit fit = FitOnRanks(split.train, params, size, contiguous, !contiguous);
        if (!contiguous) {
          ASSERT_EQ(fit.threads[0], 1);
        }
        for (int rank = 0; rank < size; ++rank) {
          EXPECT_TRUE(fit.models[rank] == expected)
              << "rank " << rank << " of " << size << (per_chunk ? ", a problem per chunk" : "")
              << (contiguous ? ", contiguous shards" : ", interleaved shards, uneven threads");
        }
      }
    }
  }
}

TEST(ForestDistributed, SameForestWithoutBootstrapAndWithHistogramsOnly) {
  TrainTest split = SplitTrainTest(Generated(3000, 1000, true, 9), SplitOptions{});
  for (const ParamMap& params :
       {ParamMap{{"n_estimators", "3"}, {"bootstrap", "false"}, {"criterion", "entropy"}},
        ParamMap{{"n_estimators", "4"}, {"exact_split_rows", "0"}, {"min_samples_leaf", "3"}}}) {
    const std::string expected = ModelBytes(*FitForest(split.train, params));
    const RanksFit fit = FitOnRanks(split.train, params, 2, true);
    EXPECT_TRUE(fit.models[0] == expected && fit.models[1] == expected)
        << params.begin()->first << "=" << params.begin()->second;
  }
}

TEST(ForestDistributed, RanksSendEachOfTheirRowsOnceForAllTheTreesOfAnOwnersRound) {
  TrainTest split = SplitTrainTest(Generated(4000, 4000, false, 10), SplitOptions{});
  const int trees = 6, size = 2;
  const ParamMap params = {{"n_estimators", std::to_string(trees)}, {"random_state", "1"}};
  const RanksFit fit = FitOnRanks(split.train, params, size, true);
  const std::size_t features = split.train.features();
  const int round_trees = *std::min_element(fit.threads.begin(), fit.threads.end());
  for (int rank = 0; rank < size; ++rank) {
    // The rows this rank holds that are in the sample of some tree of the other rank's round.
    const Dataset mine = ContiguousShard(split.train, rank, size);
    std::int64_t packs = 0;
    for (int round = 0; round * round_trees < trees; ++round) {
      const auto owned = TreesOfRound(round, 1 - rank, size, round_trees, trees);
      if (owned.empty()) continue;
      std::vector<std::uint16_t> any(mine.rows(), 0), weights;
      for (int t : owned) {
        BootstrapWeights(mine.row_ids(), 1, t, true, &weights);
        for (std::size_t r = 0; r < mine.rows(); ++r) any[r] |= weights[r];
      }
      const auto rows =
          static_cast<std::int64_t>(mine.rows() - std::count(any.begin(), any.end(), 0));
      packs += 8 + rows * static_cast<std::int64_t>(2 + owned.size() + 5 * features);
    }
    ASSERT_GT(packs, 0);
    // Besides them: the bin sample (all rows here, as the data is small), the trees, a few
    // counts.
    const std::int64_t others = mine.rows() * features * 4 + fit.models[rank].size() + 4096;
    EXPECT_GE(fit.stats[rank].bytes_sent, packs) << "rank " << rank;
    EXPECT_LE(fit.stats[rank].bytes_sent, packs + others) << "rank " << rank;
  }
}

TEST(ForestDistributed, RoundsGiveEveryTreeToOneRankOnce) {
  for (int size : {1, 2, 3}) {
    for (int round_trees : {1, 2, 5}) {
      std::vector<int> owner_of(11, -1);
      for (int round = 0; round < 11; ++round) {
        for (int owner = 0; owner < size; ++owner) {
          for (int t : TreesOfRound(round, owner, size, round_trees, 11)) {
            ASSERT_EQ(owner_of[t], -1) << "tree " << t << " twice";
            ASSERT_EQ(t % size, owner);
            owner_of[t] = owner;
          }
        }
      }
      EXPECT_EQ(std::count(owner_of.begin(), owner_of.end(), -1), 0);
    }
  }
}

TEST(ForestDistributed, ProblemPerBlockDataKeepsTheSingleProcessAccuracy) {
  // Contiguous shards of data whose blocks are different problems: one block alone is a poor
  // training set, the forest of all ranks must be as good as the single process's.
  TrainTest split = SplitTrainTest(Generated(9000, 3000, true, 12), SplitOptions{});
  const ParamMap params = {{"n_estimators", "12"}, {"random_state", "3"}};
  const double single = ForestAccuracy(*FitForest(split.train, params), split.test);
  const double one_block =
      ForestAccuracy(*FitForest(ContiguousShard(split.train, 0, 3), params), split.test);
  ASSERT_LT(one_block, single - 0.1) << "the blocks are not different problems";
  for (int size : {2, 3}) {
    std::vector<double> accuracies(size);
    RunRanks(size, [&](Comm& comm) {
      auto model = MakeForestClassifier(params);
      model->Fit(ContiguousShard(split.train, comm.rank(), comm.size()), comm);
      accuracies[comm.rank()] = Accuracy(model->Predict(split.test, comm), split.test);
    });
    for (double accuracy : accuracies) EXPECT_EQ(accuracy, single) << size << " ranks";
  }
}

TEST(ForestDistributed, RanksWithoutRowsAndTreesWithEmptySamples) {
  // Two rows: a tree's bootstrap misses both with probability e^-2, and then the tree is one leaf
  // of the training set's class fractions. Ranks 1 and 2 hold no rows and still grow their trees.
  Dataset train = MakeBlobs(2, 3, 2, 1.0, 30);
  train.mutable_labels()[0] = 0;
  train.mutable_labels()[1] = 1;
  const ParamMap params = {{"n_estimators", "30"}};
  const auto single = FitForest(train, params);
  std::size_t prior_leaves = 0;
  for (const auto& tree : dynamic_cast<const ForestClassifier&>(*single).trees()) {
    if (tree.node_count() == 1 && tree.leaf_values() == std::vector<float>{0.5f, 0.5f}) {
      ++prior_leaves;
    }
  }
  EXPECT_GT(prior_leaves, 0u);
  const std::string expected = ModelBytes(*single);
  std::vector<std::string> models(3);
  RunRanks(3, [&](Comm& comm) {
    std::vector<std::size_t> rows;
    if (comm.rank() == 0) rows = {0, 1};
    auto model = MakeForestClassifier(params);
    model->Fit(train.Take(rows), comm);
    models[comm.rank()] = ModelBytes(*model);
  });
  for (int rank = 0; rank < 3; ++rank) EXPECT_TRUE(models[rank] == expected) << "rank " << rank;
}

TEST(ForestDistributed, RowExchangeDealsEveryRowOnceWhateverTheLayout) {
  Dataset data = MakeBlobs(3000, 3, 2, 1.0, 20);
  for (int size : {2, 3}) {
    std::vector<std::vector<std::int64_t>> held(size);
    RunRanks(size, [&](Comm& comm) {
      Dataset mine = ExchangeRows(ContiguousShard(data, comm.rank(), comm.size()), comm, 5);
      auto ids = mine.row_ids();
      held[comm.rank()].assign(ids.begin(), ids.end());
      for (std::size_t i = 0; i < mine.rows(); ++i) {
        ASSERT_EQ(RankOfRow(ids[i], 5, size), comm.rank());
        ASSERT_EQ(mine.labels()[i], data.labels()[ids[i]]);
        ASSERT_EQ(mine.at(i, 2), data.at(ids[i], 2));
        if (i > 0) {
          ASSERT_LT(ids[i - 1], ids[i]);
        }
      }
    });
    std::vector<std::int64_t> all;
    for (const auto& ids : held) {
      // A fair deal: every rank gets about its share.
      EXPECT_NEAR(static_cast<double>(ids.size()), 3000.0 / size, 3000.0 / size * 0.15);
      all.insert(all.end(), ids.begin(), ids.end());
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), 3000u);
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<std::int64_t>(i));
  }
}

}  // namespace
}  // namespace scaleml
