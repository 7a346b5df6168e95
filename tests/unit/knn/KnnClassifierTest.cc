// knn: the kd-tree against brute force (duplicates included), merging of rank lists, the
// collective prediction on shards, scikit-learn's vote rule, model files and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include "algo/AlgorithmFactories.h"
#include "algo/knn/KdTree.h"
#include "algo/knn/KnnClassifier.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "core/Error.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::ContiguousShard;
using testing::MakeBlobs;
using testing::Shard;

// Blobs with every fifth row repeated (an exact duplicate with its own row id), so that exact
// distance ties are common.
Dataset BlobsWithDuplicates(std::size_t rows, std::size_t features, int classes,
                            std::uint64_t seed) {
  Dataset base = MakeBlobs(rows, features, classes, 3.0, seed);
  std::vector<std::size_t> order;
  for (std::size_t r = 0; r < rows; ++r) {
    order.push_back(r);
    if (r % 5 == 0) order.push_back(r);
  }
  Dataset data = base.Take(order);
  auto ids = data.mutable_row_ids();
  for (std::size_t r = 0; r < data.rows(); ++r) ids[r] = static_cast<std::int64_t>(r);
  return data;
}

// The reference: every distance with the kd-tree's arithmetic (a float sum over the features in
// order), all rows sorted by (distance, row id).
std::vector<Neighbor> BruteForce(const Dataset& train, const std::vector<std::int32_t>& codes,
                                 const float* query, int k) {
  std::vector<Neighbor> all;
  for (std::size_t r = 0; r < train.rows(); ++r) {
    float distance = 0.0f;
    for (std::size_t f = 0; f < train.features(); ++f) {
      const float t = query[f] - train.at(r, f);
      distance += t * t;
    }
    all.push_back({distance, codes[r], train.row_ids()[r]});
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min<std::size_t>(k, all.size()));
  while (all.size() < static_cast<std::size_t>(k)) all.push_back(kNoNeighbor);
  return all;
}

TEST(KdTreeTest, FindsExactlyTheBruteForceNeighbours) {
  Dataset train = BlobsWithDuplicates(700, 4, 3, 1);
  std::vector<std::int32_t> codes(train.labels().begin(), train.labels().end());
  // Queries: fresh points and training points themselves (distance-0 ties with duplicates).
  Dataset fresh = MakeBlobs(150, 4, 3, 3.0, 2);
  std::vector<float> queries = fresh.RowMajor();
  std::vector<float> own = train.RowMajor();
  queries.insert(queries.end(), own.begin(), own.begin() + 100 * 4);
  const std::size_t count = queries.size() / 4;
  std::vector<KdTree> trees(3);
  const int leaf_sizes[] = {1, 3, 32};
  for (int t = 0; t < 3; ++t) trees[t].Build(train, codes, leaf_sizes[t]);
  for (int k : {1, 5, 17}) {
    std::vector<Neighbor> found(count * k);
    for (std::size_t q = 0; q < count; ++q) {
      const std::vector<Neighbor> expected = BruteForce(train, codes, &queries[q * 4], k);
      for (int t = 0; t < 3; ++t) {
        trees[t].Search(std::span<const float>(&queries[q * 4], 4), 1, k, found);
        ASSERT_TRUE(std::equal(expected.begin(), expected.end(), found.begin()))
            << "query " << q << " k " << k << " leaf size " << leaf_sizes[t];
      }
    }
  }
}

TEST(KdTreeTest, AllPointsIdenticalStillOrderedByRowId) {
  Dataset train = MakeBlobs(200, 3, 2, 1.0, 3);
  for (std::size_t f = 0; f < 3; ++f) {
    for (auto& v : train.mutable_column(f)) v = 1.5f;
  }
  std::vector<std::int32_t> codes(train.labels().begin(), train.labels().end());
  KdTree tree;
  tree.Build(train, codes, 4);
  const std::vector<float> query = {1.5f, 1.5f, 1.5f};
  std::vector<Neighbor> found(7);
  tree.Search(query, 1, 7, found);
  for (int j = 0; j < 7; ++j) {
    EXPECT_EQ(found[j].row_id, j);
    EXPECT_EQ(found[j].distance, 0.0f);
  }
}

TEST(KdTreeTest, FewerPointsThanKArePadded) {
  Dataset train = MakeBlobs(3, 2, 2, 1.0, 4);
  std::vector<std::int32_t> codes(train.labels().begin(), train.labels().end());
  KdTree tree;
  tree.Build(train, codes, 32);
  std::vector<float> query = {0.0f, 0.0f};
  std::vector<Neighbor> found(5);
  tree.Search(query, 1, 5, found);
  EXPECT_NE(found[2].row_id, kNoNeighbor.row_id);
  EXPECT_EQ(found[3], kNoNeighbor);
  EXPECT_EQ(found[4], kNoNeighbor);
  KdTree empty;
  empty.Build(train.Take(std::vector<std::size_t>{}), {}, 32);
  empty.Search(query, 1, 5, found);
  EXPECT_EQ(found[0], kNoNeighbor);
}

TEST(MergeNearestTest, MergedPartitionsEqualTheWholeSearch) {
  Dataset train = BlobsWithDuplicates(500, 3, 2, 5);
  std::vector<std::int32_t> codes(train.labels().begin(), train.labels().end());
  const int k = 6, parts = 3;
  std::vector<float> query = {0.1f, -0.2f, 0.3f};
  std::vector<Neighbor> lists(parts * k);
  for (int p = 0; p < parts; ++p) {
    Dataset part = Shard(train, p, parts);
    std::vector<std::int32_t> part_codes(part.labels().begin(), part.labels().end());
    KdTree tree;
    tree.Build(part, part_codes, 8);
    tree.Search(query, 1, k, std::span<Neighbor>(lists.data() + p * k, k));
  }
  std::vector<Neighbor> merged(k);
  MergeNearest(lists, k, merged);
  EXPECT_EQ(merged, BruteForce(train, codes, query.data(), k));
}

struct ShardCase {
  int ranks;
  bool contiguous_train;
};

class KnnDistributedTest : public ::testing::TestWithParam<ShardCase> {};

TEST_P(KnnDistributedTest, ShardsPredictAsOneProcess) {
  const auto [ranks, contiguous_train] = GetParam();
  Dataset train = BlobsWithDuplicates(1200, 5, 3, 6);
  Dataset test = MakeBlobs(301, 5, 3, 3.0, 7);
  KnnClassifier single(KnnParams{});
  LocalComm local;
  single.Fit(train, local);
  const auto expected = single.Nearest(test, local);
  const auto expected_labels = single.Predict(test, local);

  std::mutex mutex;
  RunRanks(ranks, [&](Comm& comm) {
    Dataset shard = contiguous_train ? ContiguousShard(train, comm.rank(), ranks)
                                     : Shard(train, comm.rank(), ranks);
    // The last rank holds no queries at all; the others different numbers of them.
    Dataset queries = comm.rank() == ranks - 1 ? test.Take(std::vector<std::size_t>{})
                                               : ContiguousShard(test, comm.rank(), ranks - 1);
    KnnClassifier model(KnnParams{});
    model.Fit(shard, comm);
    const auto nearest = model.Nearest(queries, comm);
    const auto labels = model.Predict(queries, comm);
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < queries.rows(); ++i) {
      const auto row = static_cast<std::size_t>(queries.row_ids()[i]);
      EXPECT_EQ(labels[i], expected_labels[row]) << "rank " << comm.rank() << " row " << row;
      for (int j = 0; j < 5; ++j) EXPECT_EQ(nearest[i * 5 + j], expected[row * 5 + j]);
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Shards, KnnDistributedTest,
                         ::testing::Values(ShardCase{2, false}, ShardCase{3, true},
                                           ShardCase{3, false}));

TEST(KnnClassifierTest, RankWithoutTrainingRowsStillJoins) {
  Dataset train = BlobsWithDuplicates(300, 3, 2, 12);
  Dataset test = MakeBlobs(50, 3, 2, 3.0, 13);
  KnnClassifier single(KnnParams{});
  LocalComm local;
  single.Fit(train, local);
  const auto expected = single.Nearest(test, local);
  RunRanks(2, [&](Comm& comm) {
    Dataset shard = comm.rank() == 0 ? train.Take(std::vector<std::size_t>{}) : train.Clone();
    KnnClassifier model(KnnParams{});
    model.Fit(shard, comm);
    EXPECT_EQ(model.Nearest(test, comm), expected);
  });
}

TEST(KnnClassifierTest, InfiniteQueriesStopEveryRank) {
  Dataset train = MakeBlobs(200, 3, 2, 3.0, 14);
  Dataset test = MakeBlobs(40, 3, 2, 3.0, 15);
  std::atomic<int> errors{0};
  RunRanks(3, [&](Comm& comm) {
    KnnClassifier model(KnnParams{});
    model.Fit(Shard(train, comm.rank(), 3), comm);
    Dataset queries = Shard(test, comm.rank(), 3);
    if (comm.rank() == 2) queries.mutable_column(0)[1] = -std::numeric_limits<float>::infinity();
    try {
      model.Predict(queries, comm);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      ++errors;
    }
  });
  EXPECT_EQ(errors, 3);
}

TEST(KnnClassifierTest, TiedVotesGoToTheLowestClass) {
  // One dimension: training points 0 (label 7) and 1 (label 3); k = 2 gives one vote each.
  Dataset train({"x"}, 2);
  train.mutable_column(0)[0] = 0.0f;
  train.mutable_column(0)[1] = 1.0f;
  train.mutable_labels()[0] = 7;
  train.mutable_labels()[1] = 3;
  Dataset query({"x"}, 1);
  query.mutable_column(0)[0] = 0.1f;
  KnnClassifier model(KnnSchema().Parse({{"n_neighbors", "2"}}));
  LocalComm comm;
  model.Fit(train, comm);
  EXPECT_EQ(model.Predict(query, comm), std::vector<std::int32_t>{3});
  EXPECT_EQ(model.PredictProba(query, comm), (std::vector<float>{0.5f, 0.5f}));
}

TEST(KnnClassifierTest, SaveLoadRoundTripPredictsIdentically) {
  Dataset train = BlobsWithDuplicates(400, 4, 3, 8);
  Dataset test = MakeBlobs(100, 4, 3, 3.0, 9);
  KnnClassifier model(KnnParams{});
  LocalComm comm;
  model.Fit(train, comm);
  BinaryWriter out;
  model.SaveModel(out);
  auto loaded = MakeKnnClassifier(model.params());
  loaded->set_classes(model.classes());
  BinaryReader in(out.bytes(), "knn.model");
  loaded->LoadModel(in);
  EXPECT_TRUE(in.AtEnd());
  EXPECT_EQ(loaded->PredictProba(test, comm), model.PredictProba(test, comm));
}

TEST(KnnClassifierTest, TruncatedOrCorruptModelIsAClearError) {
  Dataset train = MakeBlobs(100, 3, 2, 3.0, 10);
  KnnClassifier model(KnnParams{});
  LocalComm comm;
  model.Fit(train, comm);
  BinaryWriter out;
  model.SaveModel(out);
  const std::string bytes = out.bytes();
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 3, bytes.size() - 1}) {
    KnnClassifier loaded(KnnParams{});
    loaded.set_classes(model.classes());
    BinaryReader in(std::string_view(bytes).substr(0, cut), "cut.model");
    try {
      loaded.LoadModel(in);
      ADD_FAILURE() << "a model cut at " << cut << " bytes loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find("cut.model"), std::string::npos) << e.what();
    }
  }
  // The root's child link pointed back at the root: the search would never end.
  std::string corrupt = bytes;
  const std::size_t root_left = 4 + 4 + 8 + 16;  // features, leaf size, node count, root fields
  std::uint32_t zero = 0;
  std::memcpy(corrupt.data() + root_left, &zero, sizeof(zero));
  KnnClassifier loaded(KnnParams{});
  loaded.set_classes(model.classes());
  BinaryReader in(corrupt, "corrupt.model");
  EXPECT_THROW(loaded.LoadModel(in), Error);
}

TEST(KnnClassifierTest, BadParametersAreInputErrors) {
  for (const ParamMap& params : std::vector<ParamMap>{{{"n_neighbors", "0"}},
                                                      {{"weights", "distance"}},
                                                      {{"p", "1"}},
                                                      {{"leaf_size", "x"}},
                                                      {{"metric", "cosine"}}}) {
    try {
      MakeKnnClassifier(params);
      ADD_FAILURE() << params.begin()->first << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find(params.begin()->first), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(MakeKnnClassifier({{"k", "9"}})->params().at("n_neighbors"), "9");
}

TEST(KnnClassifierTest, BadDataIsAnInputError) {
  Dataset train = MakeBlobs(4, 2, 2, 3.0, 11);
  LocalComm comm;
  KnnClassifier too_many(KnnParams{});  // k = 5 > 4 rows
  EXPECT_THROW(too_many.Fit(train, comm), Error);

  KnnClassifier model(KnnSchema().Parse({{"n_neighbors", "3"}}));
  model.Fit(train, comm);
  EXPECT_THROW(model.PredictProba(MakeBlobs(3, 3, 2, 3.0, 12), comm), Error);  // 3 features
  Dataset inf_query = MakeBlobs(3, 2, 2, 3.0, 12);  // missing values are imputed, not these
  inf_query.mutable_column(1)[2] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(model.PredictProba(inf_query, comm), Error);
  KnnClassifier untrained(KnnParams{});
  EXPECT_THROW(untrained.PredictProba(train, comm), Error);
}

}  // namespace
}  // namespace scaleml
