// The data-parallel fit: ranks hold contiguous shards (as byte-range partitions of a file give
// them) of data in which every contiguous block is a different problem, as in the paper's data.
#include <gtest/gtest.h>

#include <mutex>

#include "algo/RowExchange.h"
#include "comm/ThreadComm.h"
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

// Three blocks of rows, each its own blob problem (its own centres), row ids 0..n-1.
Dataset ProblemPerBlock(std::size_t rows_per_block) {
  const int blocks = 3;
  const std::size_t features = 6;
  std::vector<Dataset> parts;
  for (int b = 0; b < blocks; ++b)
    parts.push_back(MakeBlobs(rows_per_block, features, 2, 2.5, 100 + b));
  Dataset all(parts[0].feature_names(), rows_per_block * blocks);
  for (int b = 0; b < blocks; ++b) {
    for (std::size_t r = 0; r < rows_per_block; ++r) {
      const std::size_t row = b * rows_per_block + r;
      all.mutable_labels()[row] = parts[b].labels()[r];
      for (std::size_t f = 0; f < features; ++f) {
        all.mutable_column(f)[row] = static_cast<float>(parts[b].at(r, f) + 3.0 * b);
      }
    }
  }
  return all;
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

TEST(ForestDistributed, ContiguousShardsGiveTheSingleProcessAccuracyAndOneForest) {
  TrainTest split = SplitTrainTest(ProblemPerBlock(4000), SplitOptions{});
  const ParamMap params = {{"n_estimators", "12"}, {"random_state", "3"}};
  const double single = ForestAccuracy(*FitForest(split.train, params), split.test);

  // The data has the property that matters: one block's rows alone do not know the others.
  const double one_block =
      ForestAccuracy(*FitForest(ContiguousShard(split.train, 0, 3), params), split.test);
  ASSERT_LT(one_block, single - 0.1) << "the blocks are not different problems";

  for (int size : {2, 3}) {
    std::vector<std::string> models(size);
    std::vector<double> accuracies(size);
    RunRanks(size, [&](Comm& comm) {
      auto model = MakeForestClassifier(params);
      model->Fit(ContiguousShard(split.train, comm.rank(), comm.size()), comm);
      models[comm.rank()] = ModelBytes(*model);
      accuracies[comm.rank()] = Accuracy(model->Predict(split.test, comm), split.test);
    });
    for (int rank = 1; rank < size; ++rank) {
      EXPECT_EQ(models[rank], models[0]) << "rank " << rank << " of " << size;
    }
    EXPECT_NEAR(accuracies[0], single, 0.01) << size << " ranks";
  }
}

}  // namespace
}  // namespace scaleml
