// logreg on a table with categorical features and missing values: scikit-learn's
// Pipeline(ColumnTransformer(SimpleImputer(mean), OneHotEncoder(handle_unknown="ignore",
// min_frequency=8)), LogisticRegression) on the fixture of bench/peers/make_categorical_fixture.py,
// the same model from ranks that each hold a part of the rows, and the model file.
#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

#include "algo/logreg/LogregClassifier.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "unit/testing/CategoricalFixture.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::CategoricalExpected;
using testing::ReadCategoricalTable;

ParamMap FixtureParams() {
  return {{"min_frequency", std::to_string(CategoricalExpected()["min_frequency"].get<int>())}};
}

TEST(LogregCategoricalTest, MatchesScikitLearnPipeline) {
  const nlohmann::json expected = CategoricalExpected();
  Dataset train = ReadCategoricalTable("train");
  Dataset test = ReadCategoricalTable("test");
  LogregClassifier model(LogregSchema().Parse(FixtureParams()));
  LocalComm comm;
  model.Fit(train, comm);
  ASSERT_TRUE(model.converged());

  const auto columns = expected["encoded_columns"].get<std::vector<std::string>>();
  ASSERT_EQ(model.encoder().output_features(), columns.size());
  EXPECT_EQ(model.encoder().output_names()[7], "colour_infrequent");
  const auto coef = expected["logreg"]["coef"].get<std::vector<std::vector<double>>>();
  const auto intercept = expected["logreg"]["intercept"].get<std::vector<double>>();
  ASSERT_EQ(model.coef().size(), coef.size() * columns.size());
  for (std::size_t m = 0; m < coef.size(); ++m) {
    for (std::size_t f = 0; f < columns.size(); ++f) {
      const double want = coef[m][f];
      EXPECT_NEAR(model.coef()[m * columns.size() + f], want, 1e-4 * std::fabs(want) + 1e-6)
          << "class " << m << " column " << columns[f];
    }
    EXPECT_NEAR(model.intercept()[m], intercept[m], 1e-4 * std::fabs(intercept[m]) + 1e-6);
  }
  const auto proba = expected["logreg"]["test_proba"].get<std::vector<std::vector<double>>>();
  const auto predictions = expected["logreg"]["test_predictions"].get<std::vector<int>>();
  const std::vector<float> ours = model.PredictProba(test, comm);
  const std::vector<std::int32_t> labels = model.Predict(test, comm);
  ASSERT_EQ(labels.size(), predictions.size());
  for (std::size_t r = 0; r < labels.size(); ++r) {
    for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(ours[r * 3 + c], proba[r][c], 2e-5) << r;
    EXPECT_EQ(labels[r], predictions[r]) << "test row " << r;
  }
}

TEST(LogregCategoricalTest, RanksGiveTheSingleProcessModel) {
  Dataset train = ReadCategoricalTable("train");
  Dataset test = ReadCategoricalTable("test");
  LogregClassifier single(LogregSchema().Parse(FixtureParams()));
  LocalComm local;
  single.Fit(train, local);
  const std::vector<float> single_proba = single.PredictProba(test, local);
  std::mutex mutex;
  std::vector<std::vector<double>> coefs(3);
  RunRanks(3, [&](Comm& comm) {
    LogregClassifier model(LogregSchema().Parse(FixtureParams()));
    model.Fit(testing::ContiguousShard(train, comm.rank(), 3), comm);
    const std::vector<float> proba = model.PredictProba(test, comm);
    std::lock_guard lock(mutex);
    coefs[comm.rank()] = model.coef();
    ASSERT_EQ(proba.size(), single_proba.size());
    for (std::size_t i = 0; i < proba.size(); ++i) EXPECT_NEAR(proba[i], single_proba[i], 1e-6);
    EXPECT_EQ(model.encoder().output_names(), single.encoder().output_names());
  });
  for (int r = 0; r < 3; ++r) {
    ASSERT_EQ(coefs[r].size(), single.coef().size());
    for (std::size_t i = 0; i < coefs[r].size(); ++i) {
      // Sums over ranks add in another order than one process's, and the solver stops within its
      // tolerance of the optimum: close, not bit-equal (the probabilities above agree to 1e-6).
      EXPECT_NEAR(coefs[r][i], single.coef()[i], 1e-5 * std::fabs(single.coef()[i]) + 1e-7);
    }
    EXPECT_EQ(coefs[r], coefs[0]) << "ranks must end with the identical model";
  }
}

TEST(LogregCategoricalTest, ModelPayloadKeepsTheEncoding) {
  Dataset train = ReadCategoricalTable("train");
  Dataset test = ReadCategoricalTable("test");
  LogregClassifier model(LogregSchema().Parse(FixtureParams()));
  LocalComm comm;
  model.Fit(train, comm);
  BinaryWriter out;
  model.SaveModel(out);
  LogregClassifier loaded(LogregSchema().Parse(FixtureParams()));
  loaded.set_classes(model.classes());
  BinaryReader in(out.bytes(), "model.bin");
  loaded.LoadModel(in);
  EXPECT_TRUE(in.AtEnd());
  EXPECT_EQ(loaded.PredictProba(test, comm), model.PredictProba(test, comm));
  EXPECT_EQ(loaded.encoder().output_names(), model.encoder().output_names());
}

TEST(LogregCategoricalTest, StandardizeIsOffByDefaultAndChangesOnlyTheScale) {
  Dataset data = testing::MakeBlobs(600, 3, 2, 2.0, 9);
  for (std::size_t r = 0; r < data.rows(); ++r) data.mutable_column(1)[r] *= 50.0f;
  LocalComm comm;
  LogregClassifier plain(LogregParams{});
  plain.Fit(data, comm);
  EXPECT_EQ(plain.params().at("standardize"), "false");
  LogregClassifier scaled(LogregSchema().Parse({{"standardize", "true"}}));
  scaled.Fit(data, comm);
  // The same data, other columns: the scaled model's weight on the widened column is larger
  // (that column now has unit variance) and the predictions agree on nearly every row.
  EXPECT_GT(std::fabs(scaled.coef()[1]), 10 * std::fabs(plain.coef()[1]));
  const auto a = plain.Predict(data, comm), b = scaled.Predict(data, comm);
  std::size_t same = 0;
  for (std::size_t r = 0; r < a.size(); ++r) same += a[r] == b[r];
  EXPECT_GE(same, a.size() * 99 / 100);
}

TEST(LogregCategoricalTest, AllMissingCategoricalFeatureGivesAnInterceptModel) {
  // The only feature is categorical and never present: no encoded column, only intercepts.
  Dataset data({"colour"}, 40);
  for (std::size_t r = 0; r < 40; ++r) {
    data.mutable_column(0)[r] = std::nanf("");
    data.mutable_labels()[r] = r % 4 == 0 ? 1 : 0;
  }
  Schema schema = NumericSchema(1);
  schema.features[0] = {FeatureKind::kCategorical, {"blue", "red"}};
  data.set_schema(schema);
  LogregClassifier model(LogregParams{});
  LocalComm comm;
  model.Fit(data, comm);
  EXPECT_EQ(model.encoder().output_features(), 0u);
  const std::vector<float> proba = model.PredictProba(data, comm);
  EXPECT_NEAR(proba[1], 0.25, 1e-3);  // the class frequency, through the intercept alone
  BinaryWriter out;
  model.SaveModel(out);
  LogregClassifier loaded(LogregParams{});
  loaded.set_classes(model.classes());
  BinaryReader in(out.bytes(), "model.bin");
  loaded.LoadModel(in);
  EXPECT_EQ(loaded.PredictProba(data, comm), proba);
}

}  // namespace
}  // namespace scaleml
