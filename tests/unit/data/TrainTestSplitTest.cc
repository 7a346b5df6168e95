#include "data/TrainTestSplit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::Bits;
using testing::MakeCsvTable;
using testing::TempDir;
using testing::WriteFile;

std::set<std::int64_t> Ids(const Dataset& data) {
  return {data.row_ids().begin(), data.row_ids().end()};
}

TEST(TrainTestSplitTest, FractionIsNearTestSize) {
  constexpr std::int64_t kRows = 200000;
  for (double test_size : {0.05, 0.2, 0.5}) {
    SplitOptions options{test_size, 42};
    std::int64_t test = 0;
    for (std::int64_t row = 0; row < kRows; ++row) test += IsTestRow(row, options);
    // Within 5 standard deviations of a binomial draw.
    const double sigma = std::sqrt(kRows * test_size * (1 - test_size));
    EXPECT_NEAR(static_cast<double>(test), kRows * test_size, 5 * sigma) << test_size;
  }
}

TEST(TrainTestSplitTest, DependsOnTheSeedAndIsRepeatable) {
  std::vector<bool> a, b, c;
  for (std::int64_t row = 0; row < 1000; ++row) {
    a.push_back(IsTestRow(row, {0.2, 42}));
    b.push_back(IsTestRow(row, {0.2, 42}));
    c.push_back(IsTestRow(row, {0.2, 43}));
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Different seeds agree on about 1 - 2 * 0.2 * 0.8 = 68% of rows, not all or none.
  int agree = 0;
  for (std::size_t i = 0; i < a.size(); ++i) agree += a[i] == c[i];
  EXPECT_GT(agree, 600);
  EXPECT_LT(agree, 760);
}

TEST(TrainTestSplitTest, SplitKeepsRowsIdsAndValues) {
  TempDir dir;
  const auto table = MakeCsvTable(3000, 3, 2, 4);
  const std::string path = dir.File("data.csv");
  WriteFile(path, table.text);
  CsvOptions options;
  options.use_cache = false;
  const Dataset data = ReadCsv(path, options);
  const TrainTest split = SplitTrainTest(data, {0.25, 7});
  EXPECT_EQ(split.train.rows() + split.test.rows(), data.rows());
  for (const Dataset* side : {&split.train, &split.test}) {
    const bool is_test = side == &split.test;
    for (std::size_t r = 0; r < side->rows(); ++r) {
      const std::int64_t id = side->row_ids()[r];
      ASSERT_EQ(IsTestRow(id, {0.25, 7}), is_test);
      ASSERT_EQ(side->labels()[r], table.labels[id]);
      for (std::size_t f = 0; f < 3; ++f) {
        ASSERT_EQ(Bits(side->at(r, f)), Bits(table.values[id * 3 + f]));
      }
    }
  }
}

TEST(TrainTestSplitTest, IdenticalAcrossPartitionings) {
  TempDir dir;
  const auto table = MakeCsvTable(2500, 3, 2, 8);
  const std::string path = dir.File("data.csv");
  WriteFile(path, table.text);
  CsvOptions options;
  options.use_cache = false;
  const SplitOptions split_options{0.2, 42};
  const TrainTest whole = SplitTrainTest(ReadCsv(path, options), split_options);
  const auto whole_test = Ids(whole.test);
  const auto whole_train = Ids(whole.train);
  ASSERT_GT(whole_test.size(), 400u);
  for (int nranks = 1; nranks <= 7; ++nranks) {
    SCOPED_TRACE(nranks);
    std::set<std::int64_t> test, train;
    std::size_t test_rows = 0;
    for (int rank = 0; rank < nranks; ++rank) {
      const TrainTest part =
          SplitTrainTest(ReadPartition(path, rank, nranks, options), split_options);
      const auto part_test = Ids(part.test);
      const auto part_train = Ids(part.train);
      test.insert(part_test.begin(), part_test.end());
      train.insert(part_train.begin(), part_train.end());
      test_rows += part.test.rows();
    }
    EXPECT_EQ(test, whole_test);
    EXPECT_EQ(train, whole_train);
    EXPECT_EQ(test_rows, whole_test.size());  // no row twice
  }
}

TEST(TrainTestSplitTest, EdgeSizes) {
  Dataset data({"a"}, 100);
  // Both sides must be able to hold rows: 0 and 1 are input errors (issue 12).
  EXPECT_THROW(SplitTrainTest(data, {0.0, 1}), Error);
  EXPECT_THROW(CheckTestSize({0.0, 1}), Error);
  EXPECT_NO_THROW(CheckTestSize({0.2, 1}));
  EXPECT_THROW(SplitTrainTest(data, {1.0, 1}), Error);
  EXPECT_THROW(SplitTrainTest(data, {-0.1, 1}), Error);
  EXPECT_THROW(SplitTrainTest(data, {std::nan(""), 1}), Error);
  const Dataset empty({"a"}, 0);
  EXPECT_EQ(SplitTrainTest(empty, {0.2, 1}).test.rows(), 0u);
}

// Cross-validation folds: the split's hash cut into K equal ranges, so every row is in exactly one
// fold, the folds are near N/K rows, the same for every seed run, and fold 0 of 5 is the test set
// of test_size 0.2.
TEST(TrainTestSplitTest, CvFoldsPartitionTheRowsByTheSplitHash) {
  constexpr std::int64_t kRows = 100000;
  constexpr int kFolds = 5;
  std::vector<std::int64_t> sizes(kFolds, 0);
  std::int64_t fold0_differs_from_test = 0;
  for (std::int64_t row = 0; row < kRows; ++row) {
    const int fold = CvFold(row, kFolds, 42);
    ASSERT_GE(fold, 0);
    ASSERT_LT(fold, kFolds);
    ASSERT_EQ(fold, CvFold(row, kFolds, 42));
    ++sizes[fold];
    fold0_differs_from_test += (fold == 0) != IsTestRow(row, {0.2, 42});
  }
  const double sigma = std::sqrt(kRows * 0.2 * 0.8);
  for (std::int64_t size : sizes) EXPECT_NEAR(static_cast<double>(size), kRows / 5.0, 5 * sigma);
  EXPECT_EQ(fold0_differs_from_test, 0);

  Dataset data({"a"}, 1000);
  std::set<std::int64_t> tested;
  for (int fold = 0; fold < kFolds; ++fold) {
    const TrainTest split = SplitFold(data, fold, kFolds, 42);
    EXPECT_EQ(split.train.rows() + split.test.rows(), 1000u);
    for (std::int64_t id : split.test.row_ids()) {
      EXPECT_EQ(CvFold(id, kFolds, 42), fold);
      EXPECT_TRUE(tested.insert(id).second) << "row " << id << " tested twice";
    }
  }
  EXPECT_EQ(tested.size(), 1000u);
  EXPECT_THROW(SplitFold(data, 0, 1, 42), Error);
}

}  // namespace
}  // namespace scaleml
