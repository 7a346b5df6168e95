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
  EXPECT_EQ(SplitTrainTest(data, {0.0, 1}).test.rows(), 0u);
  EXPECT_EQ(SplitTrainTest(data, {0.0, 1}).train.rows(), 100u);
  EXPECT_THROW(SplitTrainTest(data, {1.0, 1}), Error);
  EXPECT_THROW(SplitTrainTest(data, {-0.1, 1}), Error);
  EXPECT_THROW(SplitTrainTest(data, {std::nan(""), 1}), Error);
  const Dataset empty({"a"}, 0);
  EXPECT_EQ(SplitTrainTest(empty, {0.2, 1}).test.rows(), 0u);
}

}  // namespace
}  // namespace scaleml
