// knn on a table with categorical features and missing values: scikit-learn's
// Pipeline(ColumnTransformer(SimpleImputer(mean) + StandardScaler, OneHotEncoder(
// handle_unknown="ignore", min_frequency=8)), KNeighborsClassifier) on the fixture of
// bench/peers/make_categorical_fixture.py, and ranks that each hold a part of the rows.
#include <gtest/gtest.h>

#include "algo/knn/KnnClassifier.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "unit/testing/CategoricalFixture.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::CategoricalExpected;
using testing::ReadCategoricalTable;

KnnParams FixtureParams() {
  return KnnSchema().Parse(
      {{"min_frequency", std::to_string(CategoricalExpected()["min_frequency"].get<int>())}});
}

TEST(KnnCategoricalTest, MatchesScikitLearnPipeline) {
  const nlohmann::json expected = CategoricalExpected();
  Dataset train = ReadCategoricalTable("train");
  Dataset test = ReadCategoricalTable("test");
  KnnClassifier model(FixtureParams());
  LocalComm comm;
  model.Fit(train, comm);
  EXPECT_EQ(model.encoder().output_features(),
            expected["encoded_columns"].get<std::vector<std::string>>().size());
  const auto proba = expected["knn"]["test_proba"].get<std::vector<std::vector<double>>>();
  const auto predictions = expected["knn"]["test_predictions"].get<std::vector<int>>();
  const std::vector<float> ours = model.PredictProba(test, comm);
  const std::vector<std::int32_t> labels = model.Predict(test, comm);
  ASSERT_EQ(labels.size(), predictions.size());
  for (std::size_t r = 0; r < labels.size(); ++r) {
    for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(ours[r * 3 + c], proba[r][c], 1e-6) << r;
    EXPECT_EQ(labels[r], predictions[r]) << "test row " << r;
  }
}

TEST(KnnCategoricalTest, RanksFindTheSingleProcessNeighbours) {
  Dataset train = ReadCategoricalTable("train");
  Dataset test = ReadCategoricalTable("test");
  KnnClassifier single(FixtureParams());
  LocalComm local;
  single.Fit(train, local);
  const std::vector<Neighbor> expected = single.Nearest(test, local);
  RunRanks(3, [&](Comm& comm) {
    KnnClassifier model(FixtureParams());
    model.Fit(testing::Shard(train, comm.rank(), 3), comm);
    EXPECT_EQ(model.Nearest(test, comm), expected);
  });
}

TEST(KnnCategoricalTest, ScaleAutoLeavesNumericTablesAsTheyAre) {
  Dataset train = testing::MakeBlobs(300, 3, 2, 3.0, 21);
  Dataset test = testing::MakeBlobs(50, 3, 2, 3.0, 22);
  LocalComm comm;
  KnnClassifier automatic(KnnParams{});
  automatic.Fit(train, comm);
  EXPECT_TRUE(automatic.encoder().numeric_passthrough());
  KnnClassifier none(KnnSchema().Parse({{"scale", "none"}}));
  none.Fit(train, comm);
  EXPECT_EQ(automatic.Nearest(test, comm), none.Nearest(test, comm));
  KnnClassifier standard(KnnSchema().Parse({{"scale", "standard"}}));
  standard.Fit(train, comm);
  EXPECT_FALSE(standard.encoder().numeric_passthrough());
}

}  // namespace
}  // namespace scaleml
