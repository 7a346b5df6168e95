// Accuracy parity with scikit-learn's HistGradientBoostingClassifier (LightGBM's algorithm family)
// on fixtures made by bench/peers/make_gbdt_fixture.py: train on the first 80% of the rows, test
// on the rest, with LightGBM's defaults on both sides.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "algo/AlgorithmFactories.h"
#include "data/CsvReader.h"
#include "unit/gbdt/GbdtTestCategorical.h"
#include "unit/gbdt/GbdtTestData.h"

namespace scaleml {
namespace {

std::map<std::string, double> ReferenceAccuracies(
    const std::string& file = "expected_accuracy.txt") {
  std::ifstream in(std::string(SCALEML_TEST_DATA) + "/gbdt/" + file);
  std::map<std::string, double> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    double accuracy = 0;
    fields >> name >> accuracy;
    out[name] = accuracy;
  }
  return out;
}

void ExpectParity(const std::string& name) {
  auto reference = ReferenceAccuracies();
  ASSERT_TRUE(reference.count(name)) << "no reference accuracy for " << name;
  CsvOptions options;
  options.use_cache = false;
  Dataset data = ReadCsv(std::string(SCALEML_TEST_DATA) + "/gbdt/" + name + ".csv", options);
  const std::size_t train_rows = data.rows() * 8 / 10;
  Dataset train = testing::RowRange(data, 0, train_rows);
  Dataset test = testing::RowRange(data, train_rows, data.rows());
  auto model = MakeGbdtClassifier({});
  LocalComm comm;
  model->Fit(train, comm);
  const double accuracy = testing::Accuracy(*model, test);
  EXPECT_NEAR(accuracy, reference[name], 0.01) << name;
  ::testing::Test::RecordProperty("accuracy", std::to_string(accuracy));
}

TEST(GbdtParity, BinaryWithinOnePointOfScikitLearn) { ExpectParity("binary"); }

TEST(GbdtParity, MulticlassWithinOnePointOfScikitLearn) { ExpectParity("multiclass"); }

// bench/peers/make_gbdt_categorical_fixture.py: two categorical features (30 categories with
// effects not monotone in the code, and 3 categories) and two numeric ones, with missing values,
// against HistGradientBoostingClassifier(categorical_features=...).
TEST(GbdtParity, CategoricalWithinTwoPointsOfScikitLearn) {
  auto reference = ReferenceAccuracies("categorical_accuracy.txt");
  ASSERT_TRUE(reference.count("categorical"));
  CsvOptions options;
  options.use_cache = false;
  options.allow_missing = true;
  Dataset data = ReadCsv(std::string(SCALEML_TEST_DATA) + "/gbdt/categorical.csv", options);
  Schema schema = NumericSchema(data.features());
  for (std::size_t f : {0, 1}) {
    schema.features[f].kind = FeatureKind::kCategorical;
    schema.features[f].categories = testing::CategoryNames(f == 0 ? 30 : 3);
  }
  data.set_schema(schema);
  const std::size_t train_rows = data.rows() * 8 / 10;
  Dataset train = testing::RowRange(data, 0, train_rows);
  Dataset test = testing::RowRange(data, train_rows, data.rows());
  auto model = MakeGbdtClassifier({});
  LocalComm comm;
  model->Fit(train, comm);
  const double accuracy = testing::Accuracy(*model, test);
  EXPECT_NEAR(accuracy, reference["categorical"], 0.02);
  ::testing::Test::RecordProperty("accuracy", std::to_string(accuracy));
}

}  // namespace
}  // namespace scaleml
