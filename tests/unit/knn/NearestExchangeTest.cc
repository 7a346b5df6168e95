// knn's two-phase exchange: the kd-tree search limited by a bound against brute force, and the
// exchanged neighbours of every rank's queries against one process on one-problem and
// per-chunk data, with exact distance ties across ranks and several rounds of batches; the
// bounds spare the other ranks' searches when ranks hold different parts of feature space.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "algo/knn/KdTree.h"
#include "algo/knn/NearestExchange.h"
#include "comm/ThreadComm.h"
#include "data/ClassificationGenerator.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::ContiguousShard;
using testing::MakeBlobs;

std::vector<std::int32_t> Codes(const Dataset& data) {
  return std::vector<std::int32_t>(data.labels().begin(), data.labels().end());
}

KdTree TreeOf(const Dataset& data, int leaf_size = 8) {
  KdTree tree;
  tree.Build(data, Codes(data), leaf_size);
  return tree;
}

// Every row twice: the copies follow the originals, so contiguous shards put a row and its copy
// on different ranks. Row r's ids are 2r and 2r + 1, the copy taking the smaller one on odd rows,
// so the tie between them is broken sometimes for the first rank and sometimes for the last.
Dataset Doubled(const Dataset& base) {
  std::vector<std::size_t> order;
  for (int copy = 0; copy < 2; ++copy) {
    for (std::size_t r = 0; r < base.rows(); ++r) order.push_back(r);
  }
  Dataset data = base.Take(order);
  auto ids = data.mutable_row_ids();
  const std::size_t n = base.rows();
  for (std::size_t r = 0; r < n; ++r) {
    ids[r] = static_cast<std::int64_t>(2 * r + r % 2);
    ids[n + r] = static_cast<std::int64_t>(2 * r + 1 - r % 2);
  }
  return data;
}

// The paper's layout in small: every 300-row chunk a different problem.
Dataset PerChunk(std::int64_t rows, std::uint64_t seed) {
  GeneratorParams params;
  params.samples = rows;
  params.chunk_size = 300;
  params.problem_per_chunk = true;
  params.seed = seed;
  return GenerateDataset(params);
}

// Rows whose index modulo 5 is (or is not) zero: a rank's queries and training rows.
Dataset EveryFifth(const Dataset& data, bool queries) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if ((r % 5 == 0) == queries) rows.push_back(r);
  }
  return data.Take(rows);
}

TEST(BoundedSearchTest, KeepsExactlyThePointsOrderedBeforeTheBound) {
  Dataset train = Doubled(MakeBlobs(400, 3, 2, 3.0, 21));
  KdTree tree = TreeOf(train, 4);
  Dataset test = MakeBlobs(40, 3, 2, 3.0, 22);
  const std::vector<float> queries = test.RowMajor();
  const int k = 6;
  std::vector<Neighbor> full(test.rows() * k);
  tree.Search(queries, test.rows(), k, full);
  // Bounds on exact ties: every point is there twice, so the fourth neighbour has the third's
  // distance and a larger row id; the third must be kept, by its row id alone.
  std::vector<Neighbor> bounds(test.rows());
  for (std::size_t q = 0; q < test.rows(); ++q) {
    ASSERT_EQ(full[q * k + 2].distance, full[q * k + 3].distance);
    bounds[q] = full[q * k + 3];
  }
  std::vector<Neighbor> bounded(test.rows() * k);
  KnnSearchCounts bounded_counts, full_counts;
  tree.Search(queries, test.rows(), k, bounded, bounds, &bounded_counts);
  tree.Search(queries, test.rows(), k, full, {}, &full_counts);
  for (std::size_t q = 0; q < test.rows(); ++q) {
    for (int j = 0; j < k; ++j) {
      const Neighbor expected = j < 3 ? full[q * k + j] : kNoNeighbor;
      EXPECT_EQ(bounded[q * k + j], expected) << "query " << q << " place " << j;
    }
  }
  EXPECT_EQ(bounded_counts.queries, test.rows());
  EXPECT_LT(bounded_counts.distances, full_counts.distances);
}

struct ExchangeCase {
  int ranks;
  bool per_chunk;  // the paper's data (a problem per chunk), else one problem with ties
};

class NearestExchangeTest : public ::testing::TestWithParam<ExchangeCase> {};

TEST_P(NearestExchangeTest, EveryRanksQueriesGetTheSingleProcessNeighbours) {
  const auto [ranks, per_chunk] = GetParam();
  // Queries are rows of each rank's own shard: distance-0 ties with training rows included.
  Dataset data = per_chunk ? PerChunk(1800, 31) : Doubled(MakeBlobs(600, 4, 3, 2.0, 32));
  Dataset all_train = EveryFifth(data, false);
  KdTree whole = TreeOf(all_train);
  // k = 1: the owner's only neighbour is the bound, and its duplicate on the other rank ties it
  // exactly (winning on row id half the time).
  for (const int k : {1, 5}) {
    std::mutex mutex;
    std::vector<NearestExchangeStats> stats(ranks);
    RunRanks(ranks, [&](Comm& comm) {
      Dataset shard = ContiguousShard(data, comm.rank(), ranks);
      Dataset train = EveryFifth(shard, false);
      // The last rank asks nothing: the others go on exchanging rounds with it.
      Dataset queries = comm.rank() == ranks - 1 && ranks > 2
                            ? shard.Take(std::vector<std::size_t>{})
                            : EveryFifth(shard, true);
      KdTree tree = TreeOf(train);
      const std::vector<float> rows = queries.RowMajor();
      // Small batches: several rounds, a different number of them on each rank.
      const auto got = ExchangeNearest(tree, rows, queries.rows(), k, comm, 7 + comm.rank(),
                                       &stats[comm.rank()]);
      std::vector<Neighbor> expected(queries.rows() * k);
      whole.Search(rows, queries.rows(), k, expected);
      std::lock_guard lock(mutex);
      ASSERT_EQ(got.size(), expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i], expected[i]) << "rank " << comm.rank() << " query " << i / k;
      }
    });
    std::uint64_t asked = 0, searched_remotely = 0;
    for (int r = 0; r < ranks; ++r) {
      asked += stats[r].own.queries;
      searched_remotely += stats[r].remote.queries;
    }
    // Every query searched in full once, and once within its bound on each other rank.
    EXPECT_EQ(searched_remotely, asked * (ranks - 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, NearestExchangeTest,
                         ::testing::Values(ExchangeCase{2, false}, ExchangeCase{3, false},
                                           ExchangeCase{2, true}, ExchangeCase{3, true}));

TEST(NearestExchangeTest, RanksInDistantRegionsSearchNothingForEachOther) {
  // Rank r's rows and queries are blobs moved far along every feature: no other rank holds a
  // point within a query's local k-th distance.
  const int ranks = 3, k = 5;
  std::vector<NearestExchangeStats> stats(ranks);
  RunRanks(ranks, [&](Comm& comm) {
    Dataset data = MakeBlobs(500, 3, 2, 2.0, 40 + comm.rank());
    for (std::size_t f = 0; f < data.features(); ++f) {
      for (float& v : data.mutable_column(f)) v += 1000.0f * static_cast<float>(comm.rank());
    }
    auto ids = data.mutable_row_ids();
    for (std::size_t r = 0; r < data.rows(); ++r) ids[r] += 1000 * comm.rank();
    Dataset train = EveryFifth(data, false), queries = EveryFifth(data, true);
    KdTree tree = TreeOf(train);
    const std::vector<float> rows = queries.RowMajor();
    std::vector<Neighbor> local(queries.rows() * k);
    tree.Search(rows, queries.rows(), k, local);
    const auto got = ExchangeNearest(tree, rows, queries.rows(), k, comm, 64, &stats[comm.rank()]);
    EXPECT_EQ(got, local);
  });
  for (int r = 0; r < ranks; ++r) {
    EXPECT_EQ(stats[r].own.queries, 100u);
    EXPECT_EQ(stats[r].remote.queries, 200u);  // two other ranks' 100 queries
    EXPECT_EQ(stats[r].remote.leaves, 0u) << "rank " << r;
    EXPECT_EQ(stats[r].candidates_received, 0u);
    EXPECT_EQ(stats[r].rounds, 2);  // 100 queries in batches of 64
  }
}

}  // namespace
}  // namespace scaleml
