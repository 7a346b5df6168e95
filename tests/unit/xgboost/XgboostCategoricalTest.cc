// Native categorical splits (feature type "c"): on a table whose class depends on a random
// subset of a feature's categories, shallow trees that split on category sets beat the same
// trees on the codes as numbers; the same model as XGBClassifier(enable_categorical=True) on the
// fixture of bench/peers/make_categorical_fixture.py; missing categories and the model payload;
// parameters that cannot split on categories are an input error.
// GCC 12 at -O3 reports a false -Wrestrict inside nlohmann::json's string building (GCC bug
// 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <gtest/gtest.h>

#include <cmath>

#include "core/Hash.h"
#include "unit/testing/CategoricalFixture.h"
#include "unit/xgboost/XgboostTestUtil.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::FitXgboost;

// Feature "colour" categorical with 24 categories, the class 1 with probability 0.9 for half of
// them (a random half) and 0.1 for the others; "noise" numeric; 5% of colours missing.
Dataset CategorySubsetTable(std::size_t rows, std::uint64_t seed) {
  Rng rng(seed);
  constexpr int kCategories = 24;
  std::vector<bool> in_subset(kCategories);
  Rng subset(7);  // the same subset for the training and the test rows
  for (int c = 0; c < kCategories; ++c) in_subset[c] = subset.Below(2) == 1;
  Dataset data({"colour", "noise"}, rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const int colour = static_cast<int>(rng.Below(kCategories));
    const bool positive = rng.Uniform() < (in_subset[colour] ? 0.9 : 0.1);
    data.mutable_column(0)[r] = rng.Uniform() < 0.05 ? std::nanf("") : static_cast<float>(colour);
    data.mutable_column(1)[r] = static_cast<float>(rng.Uniform());
    data.mutable_labels()[r] = positive ? 1 : 0;
  }
  Schema schema = NumericSchema(2);
  schema.features[0].kind = FeatureKind::kCategorical;
  for (int c = 0; c < kCategories; ++c) {
    schema.features[0].categories.push_back(StrCat(c < 10 ? "c0" : "c", c));  // sorted
  }
  data.set_schema(schema);
  return data;
}

const ParamMap kShallow = {{"n_estimators", "3"}, {"max_depth", "2"}};

TEST(XgboostCategoricalTest, NativeCategoricalBeatsCodesAsNumbers) {
  Dataset train = CategorySubsetTable(3000, 1);
  Dataset test = CategorySubsetTable(2000, 2);
  LocalComm comm;
  auto native = FitXgboost(train, kShallow);
  ParamMap numeric_params = kShallow;
  numeric_params["enable_categorical"] = "false";
  auto numeric = FitXgboost(train, numeric_params);
  const double native_accuracy = Accuracy(native->Predict(test, comm), test);
  const double numeric_accuracy = Accuracy(numeric->Predict(test, comm), test);
  std::printf("native categorical %.3f, codes as numbers %.3f\n", native_accuracy,
              numeric_accuracy);
  EXPECT_GT(native_accuracy, 0.82);  // 0.9 at best, less the missing rows
  EXPECT_GT(native_accuracy, numeric_accuracy + 0.08);
}

TEST(XgboostCategoricalTest, MatchesXGBClassifierWithEnableCategorical) {
  const nlohmann::json expected = testing::CategoricalExpected()["xgboost"];
  Dataset train = testing::ReadCategoricalTable("train");
  Dataset test = testing::ReadCategoricalTable("test");
  ParamMap params;
  for (const auto& [key, value] : expected["params"].items()) {
    params[key] = value.is_string() ? value.get<std::string>() : nlohmann::to_string(value);
  }
  auto model = FitXgboost(train, params);
  LocalComm comm;
  const std::vector<float> proba = model->PredictProba(test, comm);
  const std::vector<std::int32_t> labels = model->Predict(test, comm);
  const auto want = expected["test_proba"].get<std::vector<std::vector<double>>>();
  const auto want_labels = expected["test_predictions"].get<std::vector<int>>();
  ASSERT_EQ(labels.size(), want_labels.size());
  for (std::size_t r = 0; r < labels.size(); ++r) {
    for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(proba[r * 3 + c], want[r][c], 1e-5) << r;
    EXPECT_EQ(labels[r], want_labels[r]) << "test row " << r;
  }
}

TEST(XgboostCategoricalTest, ApproxSplitsCategoriesToo) {
  Dataset train = CategorySubsetTable(3000, 3);
  Dataset test = CategorySubsetTable(1000, 4);
  ParamMap params = kShallow;
  params["tree_method"] = "approx";
  LocalComm comm;
  EXPECT_GT(Accuracy(FitXgboost(train, params)->Predict(test, comm), test), 0.82);
}

TEST(XgboostCategoricalTest, PayloadKeepsCategoricalSplits) {
  Dataset train = CategorySubsetTable(1500, 5);
  auto model = FitXgboost(train, kShallow);
  BinaryWriter out;
  model->SaveModel(out);
  auto loaded = MakeXgboostClassifier(model->params());
  loaded->set_classes(model->classes());
  BinaryReader in(out.bytes(), "model.bin");
  loaded->LoadModel(in);
  LocalComm comm;
  EXPECT_EQ(loaded->PredictProba(train, comm), model->PredictProba(train, comm));
}

TEST(XgboostCategoricalTest, ParametersThatCannotSplitCategoriesAreAnInputError) {
  Dataset train = CategorySubsetTable(300, 6);
  for (const ParamMap& params :
       {ParamMap{{"tree_method", "exact"}}, ParamMap{{"booster", "gblinear"}}}) {
    try {
      FitXgboost(train, params);
      ADD_FAILURE() << params.begin()->second << " trained";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find("enable_categorical=false"), std::string::npos)
          << e.what();
    }
  }
  ParamMap numeric = {{"tree_method", "exact"}, {"enable_categorical", "false"}};
  EXPECT_NO_THROW(FitXgboost(train, numeric));
}

}  // namespace
}  // namespace scaleml
