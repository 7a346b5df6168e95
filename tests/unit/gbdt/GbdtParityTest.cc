// Accuracy parity with scikit-learn's HistGradientBoostingClassifier (LightGBM's algorithm family)
// on fixtures made by bench/peers/make_gbdt_fixture.py: train on the first 80% of the rows, test
// on the rest, with LightGBM's defaults on both sides.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "algo/AlgorithmFactories.h"
#include "data/CsvReader.h"
#include "unit/gbdt/GbdtTestData.h"

namespace scaleml {
namespace {

std::map<std::string, double> ReferenceAccuracies() {
  std::ifstream in(std::string(SCALEML_TEST_DATA) + "/gbdt/expected_accuracy.txt");
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

}  // namespace
}  // namespace scaleml
