// Accuracy against scikit-learn's RandomForestClassifier on fixtures made by
// bench/peers/make_forest_fixture.py (the same rows, the same train/test split).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/CsvReader.h"
#include "data/TrainTestSplit.h"
#include "unit/forest/ForestTestUtil.h"

namespace scaleml {
namespace {

using testing::FitForest;
using testing::ForestAccuracy;

class ForestParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ForestParityTest, AccuracyWithinOnePointOfScikitLearn) {
  const std::string base = std::string(SCALEML_TEST_DATA) + "/forest/" + GetParam();
  std::ifstream file(base + ".expected.json");
  ASSERT_TRUE(file) << base;
  const nlohmann::json expected = nlohmann::json::parse(file);
  CsvOptions csv;
  csv.use_cache = false;
  Dataset data = ReadCsv(base + ".csv", csv);
  TrainTest split = SplitTrainTest(data, SplitOptions{});
  ASSERT_EQ(split.train.rows(), expected["split"]["train_rows"].get<std::size_t>());
  ASSERT_EQ(split.test.rows(), expected["split"]["test_rows"].get<std::size_t>());

  // scikit-learn's figure is a mean over random states; so is ours.
  const std::string trees = std::to_string(expected["n_estimators"].get<int>());
  double sum = 0.0;
  const int seeds = 3;
  for (int seed = 0; seed < seeds; ++seed) {
    auto model =
        FitForest(split.train, {{"n_estimators", trees}, {"random_state", std::to_string(seed)}});
    sum += ForestAccuracy(*model, split.test);
  }
  const double ours = sum / seeds;
  const double sklearn = expected["mean_accuracy"].get<double>();
  std::printf("%s: accuracy %.4f, scikit-learn %.4f\n", GetParam().c_str(), ours, sklearn);
  EXPECT_NEAR(ours, sklearn, 0.01)
      << GetParam() << ": ours " << ours << ", scikit-learn " << sklearn;
}

TEST_P(ForestParityTest, HistogramOnlySplitsStayClose) {
  const std::string base = std::string(SCALEML_TEST_DATA) + "/forest/" + GetParam();
  std::ifstream file(base + ".expected.json");
  const nlohmann::json expected = nlohmann::json::parse(file);
  CsvOptions csv;
  csv.use_cache = false;
  TrainTest split = SplitTrainTest(ReadCsv(base + ".csv", csv), SplitOptions{});
  auto model = FitForest(split.train, {{"n_estimators", "50"}, {"exact_split_rows", "0"}});
  const double ours = ForestAccuracy(*model, split.test);
  std::printf("%s: histogram-only accuracy %.4f\n", GetParam().c_str(), ours);
  EXPECT_NEAR(ours, expected["mean_accuracy"].get<double>(), 0.02);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ForestParityTest, ::testing::Values("binary", "multiclass4"));

}  // namespace
}  // namespace scaleml
