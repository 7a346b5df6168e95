#include "engine/SchemaExchange.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include "comm/ThreadComm.h"
#include "data/CsvReader.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::TempDir;
using testing::WriteFile;

// 300 rows; 'colour' takes "zeta" only in the last rows (the last partition's), the class
// "rare" only in the middle rows; 'name' is all distinct (an id, ignored); one note holds a
// quoted newline, which sends every rank to the quote-aware split.
std::string Table(int newline_row = 77, int quotes_from = 0) {
  std::string text = "x,colour,when,name,note,target\n";
  const char* colours[] = {"red", "green", "blue"};
  for (int i = 0; i < 300; ++i) {
    const std::string colour = i >= 290 ? "zeta" : colours[i % 3];
    const std::string label = (i >= 140 && i < 150) ? "rare" : (i % 2 ? "yes" : "no");
    const std::string note = i == newline_row             ? "\"two\nlines\""
                             : (i % 4 || i < quotes_from) ? "a"
                                                          : "\"b,c\"";
    const std::string x = i % 10 == 0 ? "" : std::to_string(i * 0.5);
    text += x + "," + colour + ",2024-03-" + std::to_string(10 + i % 20) + "," + "n" +
            std::to_string(i) + "," + note + "," + label + "\n";
  }
  return text;
}

void ExpectSameRows(const Dataset& part, const Dataset& whole) {
  ASSERT_EQ(part.feature_names(), whole.feature_names());
  ASSERT_EQ(part.schema().classes, whole.schema().classes);
  for (std::size_t f = 0; f < whole.features(); ++f) {
    EXPECT_EQ(part.schema().features[f].categories, whole.schema().features[f].categories);
  }
  for (std::size_t r = 0; r < part.rows(); ++r) {
    const auto row = static_cast<std::size_t>(part.row_ids()[r]);
    ASSERT_EQ(part.labels()[r], whole.labels()[row]) << "row " << row;
    for (std::size_t f = 0; f < whole.features(); ++f) {
      const float a = part.at(r, f), b = whole.at(row, f);
      ASSERT_TRUE((std::isnan(a) && std::isnan(b)) || a == b)
          << "row " << row << " feature " << whole.feature_names()[f] << ": " << a << " vs " << b;
    }
  }
}

TEST(SchemaExchangeTest, ThreePartitionsGetTheSingleProcessCodes) {
  TempDir dir;
  const std::string path = dir.File("table.csv");
  WriteFile(path, Table());
  CsvOptions options;
  options.use_cache = false;
  options.threads = 2;
  const Dataset whole = ReadCsv(path, options);
  ASSERT_EQ(whole.rows(), 300u);
  EXPECT_EQ(whole.schema().classes, (std::vector<std::string>{"no", "rare", "yes"}));
  EXPECT_EQ(whole.feature_names(),
            (std::vector<std::string>{"x", "colour", "when.days", "when.year", "when.month",
                                      "when.dayofweek", "note"}));

  std::mutex mutex;
  std::vector<std::int64_t> seen;
  std::map<int, std::size_t> local_categories;
  RunRanks(3, [&](Comm& comm) {
    Dataset part = ReadPartition(path, comm.rank(), comm.size(), options);
    {
      std::lock_guard<std::mutex> lock(mutex);
      local_categories[comm.rank()] = part.schema().features[1].categories.size();
    }
    ExchangeDictionaries(comm, part, options.categorical);
    ExpectSameRows(part, whole);
    std::lock_guard<std::mutex> lock(mutex);
    seen.insert(seen.end(), part.row_ids().begin(), part.row_ids().end());
  });
  // Only the last partition saw "zeta": the merge gave the others its code.
  EXPECT_EQ(local_categories[0], 3u);
  EXPECT_EQ(local_categories[2], 4u);
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 300u);
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<std::int64_t>(i));
}

// A quoted newline near a boundary between parts, with no quote before it: the parts before read
// by lines, the one holding it follows quotes, and together they still tile the file.
TEST(SchemaExchangeTest, QuotedNewlineNearAPartBoundary) {
  TempDir dir;
  const std::string path = dir.File("table.csv");
  CsvOptions options;
  options.use_cache = false;
  options.threads = 2;
  for (int newline_row : {95, 97, 98, 99, 100, 101, 102, 196, 198, 199, 200, 201, 203}) {
    SCOPED_TRACE(newline_row);
    WriteFile(path, Table(newline_row, newline_row));
    const Dataset whole = ReadCsv(path, options);
    ASSERT_EQ(whole.rows(), 300u);
    std::mutex mutex;
    std::vector<std::int64_t> seen;
    RunRanks(3, [&](Comm& comm) {
      Dataset part = ReadPartition(path, comm.rank(), comm.size(), options);
      ExchangeDictionaries(comm, part, options.categorical);
      ExpectSameRows(part, whole);
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(seen.end(), part.row_ids().begin(), part.row_ids().end());
    });
    std::sort(seen.begin(), seen.end());
    ASSERT_EQ(seen.size(), 300u);
    for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<std::int64_t>(i));
  }
}

}  // namespace
}  // namespace scaleml
