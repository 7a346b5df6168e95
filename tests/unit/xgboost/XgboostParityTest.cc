// Parity with XGBoost's Python package on the fixtures that bench/peers/make_xgboost_fixture.py
// made: the same rows in the test set, and the same accuracy from the same library.
// GCC 12 at -O3 reports a false -Wrestrict inside nlohmann::json's string building (GCC bug
// 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/TrainTestSplit.h"
#include "unit/xgboost/XgboostTestUtil.h"

namespace scaleml {
namespace {

const std::string kFixtures = std::string(SCALEML_TEST_DATA) + "/xgboost/";

nlohmann::json Expected() {
  std::ifstream in(kFixtures + "expected.json");
  EXPECT_TRUE(in) << kFixtures << "expected.json";
  return nlohmann::json::parse(in);
}

// The Python peers reimplement our split; both must choose the same rows for any seed and size.
TEST(XgboostParity, PythonSplitChoosesTheSameRows) {
  const nlohmann::json expected = Expected();
  ASSERT_GE(expected["split_checks"].size(), 3u);
  for (const auto& check : expected["split_checks"]) {
    SplitOptions options{check["test_size"].get<double>(), check["seed"].get<std::uint64_t>()};
    std::vector<std::int64_t> first;
    std::int64_t count = 0;
    for (std::int64_t row = 0; row < check["rows"].get<std::int64_t>(); ++row) {
      if (!IsTestRow(row, options)) continue;
      if (first.size() < 50) first.push_back(row);
      ++count;
    }
    EXPECT_EQ(count, check["test_count"].get<std::int64_t>()) << check["seed"];
    EXPECT_EQ(first, check["first_test_rows"].get<std::vector<std::int64_t>>()) << check["seed"];
  }
}

TEST(XgboostParity, AccuracyMatchesThePythonPackage) {
  const nlohmann::json fixtures = Expected();
  ASSERT_GE(fixtures["cases"].size(), 3u);
  for (const auto& expected : fixtures["cases"]) {
    const std::string file = expected["file"].get<std::string>();
    SCOPED_TRACE(StrCat(file, " ", expected["params"].dump()));
    CsvOptions csv;
    csv.use_cache = false;  // leave the fixture folder as it is
    Dataset data = ReadCsv(kFixtures + file, csv);
    TrainTest split = SplitTrainTest(
        data, {expected["test_size"].get<double>(), expected["seed"].get<std::uint64_t>()});
    ASSERT_EQ(split.train.rows(), expected["rows_train"].get<std::size_t>());
    auto test_ids = split.test.row_ids();
    ASSERT_EQ(std::vector<std::int64_t>(test_ids.begin(), test_ids.end()),
              expected["test_rows"].get<std::vector<std::int64_t>>());

    ParamMap params = expected["params"].get<ParamMap>();
    auto model = testing::FitXgboost(split.train, params);
    EXPECT_EQ(model->classes(), expected["classes"].get<std::vector<std::int32_t>>());
    LocalComm comm;
    auto predicted = model->Predict(split.test, comm);
    EXPECT_NEAR(testing::Accuracy(predicted, split.test), expected["accuracy"].get<double>(), 0.01);
    // The same library on the same float32 values: the predictions themselves should agree.
    auto reference = expected["predictions"].get<std::vector<std::int32_t>>();
    ASSERT_EQ(predicted.size(), reference.size());
    std::size_t same = 0;
    for (std::size_t r = 0; r < predicted.size(); ++r) same += predicted[r] == reference[r];
    EXPECT_GE(static_cast<double>(same) / predicted.size(), 0.99);
  }
}

}  // namespace
}  // namespace scaleml
