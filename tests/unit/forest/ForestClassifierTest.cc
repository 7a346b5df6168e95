#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "algo/forest/ForestClassifier.h"
#include "core/Error.h"
#include "core/Threads.h"
#include "data/TrainTestSplit.h"
#include "unit/forest/ForestTestUtil.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::FitForest;
using testing::ForestAccuracy;
using testing::LoadForest;
using testing::MakeBlobs;
using testing::ModelBytes;

TEST(ForestClassifier, ProbabilitiesAreMeansOfLeafFractions) {
  TrainTest split = SplitTrainTest(MakeBlobs(3000, 6, 3, 3.0, 1), SplitOptions{});
  auto model = FitForest(split.train, {{"n_estimators", "7"}});
  LocalComm comm;
  auto proba = model->PredictProba(split.test, comm);
  ASSERT_EQ(proba.size(), split.test.rows() * 3);
  const auto& trees = dynamic_cast<const ForestClassifier&>(*model).trees();
  ASSERT_EQ(trees.size(), 7u);
  std::vector<float> row(6);
  for (std::size_t r = 0; r < split.test.rows(); r += 37) {
    for (int f = 0; f < 6; ++f) row[f] = split.test.at(r, f);
    for (int c = 0; c < 3; ++c) {
      double mean = 0.0;
      for (const auto& tree : trees) mean += tree.LeafFractions(row.data())[c];
      EXPECT_NEAR(proba[r * 3 + c], mean / 7, 1e-6);
    }
    EXPECT_NEAR(proba[r * 3] + proba[r * 3 + 1] + proba[r * 3 + 2], 1.0, 1e-5);
  }
}

TEST(ForestClassifier, MulticlassBlobsAreLearned) {
  TrainTest split = SplitTrainTest(MakeBlobs(4000, 8, 5, 4.0, 2), SplitOptions{});
  auto model = FitForest(split.train, {{"n_estimators", "20"}});
  EXPECT_EQ(model->classes(), (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
  EXPECT_GT(ForestAccuracy(*model, split.test), 0.85);
}

TEST(ForestClassifier, FullyGrownTreeOnAllRowsFitsTheTrainingSetExactly) {
  // Without bootstrap and with every feature tried, one tree grown until pure must reproduce the
  // label of every (distinct) training row: this checks the split search and the partitioning,
  // in both the histogram stage and the exact stage.
  Dataset train = MakeBlobs(3000, 5, 3, 1.0, 3);
  for (const char* exact : {"2048", "64"}) {
    auto model = FitForest(train, {{"n_estimators", "1"},
                                   {"bootstrap", "false"},
                                   {"max_features", "all"},
                                   {"exact_split_rows", exact}});
    EXPECT_EQ(ForestAccuracy(*model, train), 1.0) << "exact_split_rows " << exact;
  }
}

TEST(ForestClassifier, MaxDepthOneGivesStumps) {
  auto model =
      FitForest(MakeBlobs(1000, 4, 2, 3.0, 4), {{"n_estimators", "5"}, {"max_depth", "1"}});
  for (const auto& tree : dynamic_cast<const ForestClassifier&>(*model).trees()) {
    EXPECT_EQ(tree.node_count(), 3u);
    EXPECT_EQ(tree.leaf_count(), 2u);
  }
}

TEST(ForestClassifier, MinSamplesLeafBoundsLeafSizes) {
  Dataset train = MakeBlobs(2000, 4, 2, 0.5, 5);
  auto small = FitForest(train, {{"n_estimators", "1"}, {"bootstrap", "false"}});
  auto large =
      FitForest(train, {{"n_estimators", "1"}, {"bootstrap", "false"}, {"min_samples_leaf", "50"}});
  const auto& small_tree = dynamic_cast<const ForestClassifier&>(*small).trees()[0];
  const auto& large_tree = dynamic_cast<const ForestClassifier&>(*large).trees()[0];
  EXPECT_LE(large_tree.leaf_count(), 2000u / 50);
  EXPECT_GT(small_tree.leaf_count(), large_tree.leaf_count() * 4);
}

TEST(ForestClassifier, SameSeedSameForestWhateverTheThreadCount) {
  Dataset train = MakeBlobs(5000, 6, 3, 2.0, 6);
  const int saved = GetThreads();
  std::vector<std::string> bytes;
  for (int threads : {1, 2, 3}) {
    SetThreads(threads);
    bytes.push_back(ModelBytes(*FitForest(
        train, {{"n_estimators", "6"}, {"random_state", "17"}, {"exact_split_rows", "500"}})));
  }
  SetThreads(saved);
  EXPECT_EQ(bytes[0], bytes[1]);
  EXPECT_EQ(bytes[0], bytes[2]);
  auto other = ModelBytes(*FitForest(
      train, {{"n_estimators", "6"}, {"random_state", "18"}, {"exact_split_rows", "500"}}));
  EXPECT_NE(bytes[0], other);
}

TEST(ForestClassifier, SaveLoadRoundTripPredictsIdentically) {
  TrainTest split = SplitTrainTest(MakeBlobs(3000, 5, 4, 2.0, 7), SplitOptions{});
  auto model = FitForest(split.train, {{"n_estimators", "8"}, {"criterion", "entropy"}});
  const std::string bytes = ModelBytes(*model);
  auto loaded = LoadForest(*model, bytes, "roundtrip.model");
  EXPECT_EQ(loaded->name(), "rf");
  EXPECT_EQ(loaded->params(), model->params());
  EXPECT_EQ(loaded->params().at("criterion"), "entropy");
  EXPECT_EQ(ModelBytes(*loaded), bytes);
  LocalComm comm;
  EXPECT_EQ(loaded->PredictProba(split.test, comm), model->PredictProba(split.test, comm));
  EXPECT_EQ(loaded->Predict(split.test, comm), model->Predict(split.test, comm));
}

TEST(ForestClassifier, TruncatedModelFileIsAClearError) {
  auto model = FitForest(MakeBlobs(800, 4, 2, 2.0, 8), {{"n_estimators", "3"}});
  const std::string bytes = ModelBytes(*model);
  for (std::size_t keep : {bytes.size() - 1, bytes.size() - 100, bytes.size() / 2, 3ul}) {
    try {
      LoadForest(*model, std::string_view(bytes).substr(0, keep), "cut.model");
      ADD_FAILURE() << "loaded a model cut to " << keep << " bytes";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(error.what()).find("cut.model: model file is truncated"),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(ForestClassifier, CorruptTreeIsRejectedOnLoad) {
  auto model = FitForest(MakeBlobs(800, 4, 2, 2.0, 9), {{"n_estimators", "1"}});
  BinaryWriter out;
  model->SaveModel(out);
  std::string bytes = out.Take();
  // The first node's right child (magic, features, classes, the kinds of the 4 features, tree
  // count, node count, then the node: threshold, feature, target) pointed back at the root would
  // loop forever.
  const std::size_t target_at = 4 + 4 + 4 + (8 + 4) + 8 + 8 + 4 + 4;
  const std::int32_t root = 0;
  std::memcpy(bytes.data() + target_at, &root, 4);
  auto fresh = MakeForestClassifier({});
  fresh->set_classes(model->classes());
  BinaryReader in(bytes, "corrupt.model");
  try {
    fresh->LoadModel(in);
    ADD_FAILURE() << "loaded a tree whose node points backwards";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("corrupt"), std::string::npos) << error.what();
  }
  // Another algorithm's payload.
  BinaryReader foreign(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08", 8), "other.model");
  EXPECT_THROW(fresh->LoadModel(foreign), Error);
}

TEST(ForestClassifier, BadParametersListTheValidNames) {
  try {
    MakeForestClassifier({{"n_trees", "5"}});
    ADD_FAILURE() << "accepted an unknown parameter";
  } catch (const Error& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.kind(), Error::Kind::kInput);
    for (const char* name : {"n_trees", "n_estimators", "criterion", "max_features",
                             "min_samples_leaf", "random_state"}) {
      EXPECT_NE(what.find(name), std::string::npos) << what;
    }
  }
  EXPECT_THROW(MakeForestClassifier({{"criterion", "mse"}}), Error);
  EXPECT_THROW(MakeForestClassifier({{"n_estimators", "0"}}), Error);
  EXPECT_THROW(MakeForestClassifier({{"min_samples_split", "1"}}), Error);
  EXPECT_THROW(MakeForestClassifier({{"max_bin", "256"}}), Error);
  // Other spellings.
  EXPECT_EQ(MakeForestClassifier({{"seed", "3"}})->params().at("random_state"), "3");
  EXPECT_EQ(MakeForestClassifier({})->params().at("n_estimators"), "100");
}

TEST(ForestClassifier, PredictingWithTheWrongFeatureCountIsAnError) {
  auto model = FitForest(MakeBlobs(500, 4, 2, 2.0, 10), {{"n_estimators", "2"}});
  LocalComm comm;
  EXPECT_THROW(model->PredictProba(MakeBlobs(10, 5, 2, 2.0, 11), comm), Error);
}

TEST(ForestClassifier, NonContiguousLabelsAreKept) {
  Dataset train = MakeBlobs(1500, 4, 3, 4.0, 12);
  for (auto& label : train.mutable_labels()) label = label * 10 - 5;  // -5, 5, 15
  auto model = FitForest(train, {{"n_estimators", "5"}});
  EXPECT_EQ(model->classes(), (std::vector<std::int32_t>{-5, 5, 15}));
  EXPECT_GT(ForestAccuracy(*model, train), 0.9);
}

}  // namespace
}  // namespace scaleml
