#include "algo/xgboost/XgboostClassifier.h"

#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "comm/ThreadComm.h"
#include "unit/testing/SyntheticData.h"
#include "unit/xgboost/XgboostTestUtil.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::FitXgboost;
using testing::MakeBlobs;

// Test rows: every fifth row of the generated data, the rest trains.
struct Split {
  Dataset train;
  Dataset test;
};
Split SplitEveryFifth(const Dataset& data) {
  std::vector<std::size_t> train, test;
  for (std::size_t r = 0; r < data.rows(); ++r) (r % 5 == 0 ? test : train).push_back(r);
  return {data.Take(train), data.Take(test)};
}

TEST(XgboostClassifier, BinaryBlobsAreLearned) {
  Split split = SplitEveryFifth(MakeBlobs(3000, 6, 2, 3.0, 11));
  auto model = FitXgboost(split.train, {{"n_estimators", "30"}, {"nthread", "2"}});
  LocalComm comm;
  auto proba = model->PredictProba(split.test, comm);
  ASSERT_EQ(proba.size(), split.test.rows() * 2);
  for (std::size_t r = 0; r < split.test.rows(); ++r) {
    EXPECT_NEAR(proba[2 * r] + proba[2 * r + 1], 1.0f, 1e-5f);
  }
  EXPECT_GT(Accuracy(model->Predict(split.test, comm), split.test), 0.9);
  EXPECT_EQ(static_cast<XgboostClassifier&>(*model).rounds(), 30);
}

TEST(XgboostClassifier, MulticlassWithArbitraryLabelValues) {
  Dataset data = MakeBlobs(3000, 5, 4, 5.0, 12);
  for (auto& label : data.mutable_labels()) label = label * 10 - 7;  // -7, 3, 13, 23
  Split split = SplitEveryFifth(data);
  auto model = FitXgboost(split.train, {{"n_estimators", "20"}});
  EXPECT_EQ(model->classes(), (std::vector<std::int32_t>{-7, 3, 13, 23}));
  LocalComm comm;
  auto proba = model->PredictProba(split.test, comm);
  ASSERT_EQ(proba.size(), split.test.rows() * 4);
  for (std::size_t r = 0; r < split.test.rows(); ++r) {
    EXPECT_NEAR(proba[4 * r] + proba[4 * r + 1] + proba[4 * r + 2] + proba[4 * r + 3], 1.0f, 1e-5f);
  }
  EXPECT_GT(Accuracy(model->Predict(split.test, comm), split.test), 0.85);
}

// The model reads our columnar data through a strided array interface. Predicting from a
// row-major copy through libxgboost's plain dense entry point must give the same numbers, which
// proves the strides put every value in its (row, feature) place.
TEST(XgboostClassifier, ColumnarViewMatchesRowMajorCopy) {
  Split split = SplitEveryFifth(MakeBlobs(1500, 7, 3, 3.0, 13));
  auto model = FitXgboost(split.train, {{"n_estimators", "10"}});
  LocalComm comm;
  auto ours = model->PredictProba(split.test, comm);

  // Our own model bytes, loaded into a fresh booster, fed a row-major DMatrix.
  BinaryWriter writer;
  model->SaveModel(writer);
  BinaryReader reader(writer.bytes(), "memory");
  reader.GetString();
  reader.Get<std::uint32_t>();
  reader.Get<std::uint64_t>();  // features
  reader.Get<std::uint64_t>();  // checksum
  std::string ubj = reader.GetString();
  BoosterHandle booster = nullptr;
  ASSERT_EQ(XGBoosterCreate(nullptr, 0, &booster), 0);
  ASSERT_EQ(XGBoosterLoadModelFromBuffer(booster, ubj.data(), ubj.size()), 0);
  std::vector<float> row_major = split.test.RowMajor();
  DMatrixHandle matrix = nullptr;
  ASSERT_EQ(XGDMatrixCreateFromMat(row_major.data(), split.test.rows(), split.test.features(), NAN,
                                   &matrix),
            0);
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  ASSERT_EQ(XGBoosterPredictFromDMatrix(booster, matrix,
                                        "{\"type\": 0, \"training\": false, "
                                        "\"iteration_begin\": 0, \"iteration_end\": 0, "
                                        "\"strict_shape\": true}",
                                        &shape, &dims, &result),
            0);
  ASSERT_EQ(dims, 2u);
  ASSERT_EQ(shape[0] * shape[1], ours.size());
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_FLOAT_EQ(result[i], ours[i]) << i;
  XGDMatrixFree(matrix);
  XGBoosterFree(booster);
}

TEST(XgboostClassifier, EveryTreeMethodTrains) {
  Split split = SplitEveryFifth(MakeBlobs(1000, 4, 3, 4.0, 14));
  LocalComm comm;
  for (const char* method : {"hist", "approx", "exact"}) {
    auto model = FitXgboost(split.train, {{"tree_method", method}, {"n_estimators", "10"}});
    EXPECT_GT(Accuracy(model->Predict(split.test, comm), split.test), 0.85) << method;
  }
  auto lossguide = FitXgboost(split.train, {{"grow_policy", "lossguide"},
                                            {"max_leaves", "15"},
                                            {"max_depth", "0"},
                                            {"n_estimators", "10"}});
  EXPECT_GT(Accuracy(lossguide->Predict(split.test, comm), split.test), 0.85);
}

TEST(XgboostClassifier, MissingValuesAreAccepted) {
  Dataset data = MakeBlobs(800, 3, 2, 4.0, 15);
  for (std::size_t r = 0; r < data.rows(); r += 7) data.mutable_column(1)[r] = NAN;
  auto model = FitXgboost(data, {{"n_estimators", "5"}});
  LocalComm comm;
  EXPECT_GT(Accuracy(model->Predict(data, comm), data), 0.85);
}

TEST(XgboostClassifier, RoundsAndLearningRateChangeTheModel) {
  Dataset data = MakeBlobs(600, 3, 2, 1.0, 16);
  LocalComm comm;
  auto a = FitXgboost(data, {{"n_estimators", "3"}})->PredictProba(data, comm);
  auto b = FitXgboost(data, {{"n_estimators", "3"}, {"eta", "0.05"}})->PredictProba(data, comm);
  // Smaller steps stay closer to the base score 0.5.
  double spread_a = 0, spread_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    spread_a += std::abs(a[i] - 0.5);
    spread_b += std::abs(b[i] - 0.5);
  }
  EXPECT_LT(spread_b, spread_a * 0.5);
}

TEST(XgboostClassifier, PredictChecksTheFeatureCount) {
  auto model = FitXgboost(MakeBlobs(300, 4, 2, 3.0, 17), {{"n_estimators", "2"}});
  LocalComm comm;
  try {
    model->PredictProba(MakeBlobs(10, 5, 2, 3.0, 18), comm);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("4 features"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(model->PredictProba(MakeBlobs(0, 4, 2, 3.0, 18), comm).empty());
}

TEST(XgboostClassifier, SingleClassIsAnInputError) {
  Dataset data = MakeBlobs(100, 2, 2, 3.0, 19);
  for (auto& label : data.mutable_labels()) label = 1;
  try {
    FitXgboost(data);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
  }
}

TEST(XgboostClassifier, RanksThatAreThreadsOfOneProcessAreRefused) {
  // One distributed xgboost fit per process (XgboostCollective): ranks that are threads of one
  // process cannot train one model together, and every rank says so. Ranks as processes:
  // tests/integration/launch_loopback.sh.
  Dataset data = MakeBlobs(200, 3, 2, 3.0, 20);
  std::vector<std::string> errors(2);
  RunRanks(2, [&](Comm& comm) {
    auto model = MakeXgboostClassifier({});
    try {
      model->Fit(testing::Shard(data, comm.rank(), comm.size()), comm);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kFailure);
      errors[comm.rank()] = e.what();
    }
  });
  for (const auto& error : errors) {
    EXPECT_NE(error.find("another distributed xgboost fit is running in this process"),
              std::string::npos)
        << error;
  }
}

TEST(XgboostClassifier, ParametersLibxgboostCannotTrainAcrossRanksAreInputErrors) {
  // Checked before any collective: every rank stops, none waits for the others.
  Dataset data = MakeBlobs(200, 3, 2, 3.0, 22);
  for (const auto& [key, value, needle] :
       {std::tuple{"booster", "gblinear", "booster=gblinear cannot train across ranks"},
        std::tuple{"tree_method", "exact", "tree_method=exact cannot train across ranks"}}) {
    std::vector<std::string> errors(2);
    RunRanks(2, [&](Comm& comm) {
      auto model = MakeXgboostClassifier({{key, value}});
      try {
        model->Fit(testing::Shard(data, comm.rank(), comm.size()), comm);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Error::Kind::kInput);
        errors[comm.rank()] = e.what();
      }
    });
    for (const auto& error : errors) EXPECT_NE(error.find(needle), std::string::npos) << error;
  }
}

TEST(XgboostClassifier, BadParameterCombinationIsAnInputError) {
  // libxgboost itself rejects exact greedy splits without a depth limit.
  try {
    FitXgboost(MakeBlobs(100, 2, 2, 3.0, 21),
               {{"tree_method", "exact"}, {"max_depth", "0"}, {"n_estimators", "1"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("unlimited depth"), std::string::npos) << message;
    // One clean line: no timestamp, source location or stack trace.
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.find("Stack trace"), std::string::npos) << message;
    EXPECT_EQ(message.find(".cc:"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace scaleml
