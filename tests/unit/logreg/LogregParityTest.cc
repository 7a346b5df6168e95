// Coefficients against scikit-learn's LogisticRegression on the fixtures that
// bench/peers/make_logreg_fixture.py wrote (scikit-learn solved to tol=1e-10).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "algo/logreg/LogregClassifier.h"
#include "comm/LocalComm.h"
#include "data/CsvReader.h"

namespace scaleml {
namespace {

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

void ExpectClose(double actual, double expected, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), 1e-4 * std::fabs(expected) + 1e-7)
      << what << ": " << actual << " vs scikit-learn's " << expected;
}

class LogregParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LogregParityTest, MatchesScikitLearnOptimum) {
  const std::string base = std::string(SCALEML_TEST_DATA) + "/logreg/" + GetParam();
  const nlohmann::json expected = ReadJson(base + ".expected.json");
  CsvOptions csv;
  csv.use_cache = false;
  Dataset data = ReadCsv(base + ".csv", csv);

  ParamMap params;
  for (const auto& [key, value] : expected["params"].items()) {
    params[key] = value.is_string() ? value.get<std::string>() : nlohmann::to_string(value);
  }
  LogregClassifier model(LogregSchema().Parse(params));
  LocalComm comm;
  model.Fit(data, comm);
  EXPECT_TRUE(model.converged());
  EXPECT_LE(model.iterations(), 30);  // Newton: a handful of passes, not scikit-learn's dozens

  ASSERT_EQ(model.classes(), expected["classes"].get<std::vector<std::int32_t>>());
  const auto coef = expected["coef"].get<std::vector<std::vector<double>>>();
  const auto intercept = expected["intercept"].get<std::vector<double>>();
  const std::size_t features = data.features();
  // A two-class softmax keeps both vectors; scikit-learn reports the second (the first is its
  // negative at the optimum).
  const std::size_t skip = model.intercept().size() == 2 && coef.size() == 1 ? 1 : 0;
  ASSERT_EQ(model.intercept().size(), coef.size() + skip);
  ASSERT_EQ(model.coef().size(), (coef.size() + skip) * features);
  for (std::size_t m = 0; m < coef.size(); ++m) {
    for (std::size_t f = 0; f < features; ++f) {
      ExpectClose(model.coef()[(m + skip) * features + f], coef[m][f],
                  "coef[" + std::to_string(m) + "][" + std::to_string(f) + "]");
      if (skip) ExpectClose(model.coef()[f], -coef[m][f], "coef[0][" + std::to_string(f) + "]");
    }
    ExpectClose(model.intercept()[m + skip], intercept[m], "intercept[" + std::to_string(m) + "]");
  }

  const auto proba_rows = expected["proba_first_rows"].get<std::vector<std::vector<double>>>();
  std::vector<float> proba = model.PredictProba(data, comm);
  const std::size_t k = model.classes().size();
  for (std::size_t r = 0; r < proba_rows.size(); ++r) {
    for (std::size_t c = 0; c < k; ++c) {
      EXPECT_NEAR(proba[r * k + c], proba_rows[r][c], 2e-5) << "row " << r << " class " << c;
    }
  }
  std::vector<std::int32_t> predicted = model.Predict(data, comm);
  std::size_t correct = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) correct += predicted[r] == data.labels()[r];
  EXPECT_NEAR(static_cast<double>(correct) / data.rows(), expected["train_accuracy"].get<double>(),
              1.5 / data.rows());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LogregParityTest,
                         ::testing::Values("binary", "binary_c01_nointercept", "multiclass3",
                                           "multiclass4_labels", "ovr3", "binary_multinomial"));

}  // namespace
}  // namespace scaleml
