#include "data/CsvReader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "core/Error.h"
#include "core/Hash.h"
#include "data/CsvWriter.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::Bits;
using testing::CsvTable;
using testing::MakeCsvTable;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

CsvOptions NoCache(int threads = 0) {
  CsvOptions options;
  options.use_cache = false;
  options.threads = threads;
  return options;
}

// Every value, label and row id of `data` equals the table's rows [first, first + data.rows()).
void ExpectRows(const Dataset& data, const CsvTable& table, std::size_t first = 0) {
  ASSERT_EQ(data.features(), table.features());
  ASSERT_EQ(data.feature_names(), table.feature_names);
  ASSERT_LE(first + data.rows(), table.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    ASSERT_EQ(data.row_ids()[r], static_cast<std::int64_t>(first + r));
    ASSERT_EQ(data.labels()[r], table.labels[first + r]) << "row " << first + r;
    for (std::size_t f = 0; f < data.features(); ++f) {
      // Bit equality: "%.9g" text must read back to the identical float32.
      ASSERT_EQ(Bits(data.at(r, f)), Bits(table.values[(first + r) * table.features() + f]))
          << "row " << first + r << " feature " << f << ": " << data.at(r, f) << " vs "
          << table.values[(first + r) * table.features() + f];
    }
  }
}

std::string ErrorOf(const std::string& path, const CsvOptions& options) {
  try {
    ReadCsv(path, options);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(CsvReaderTest, ReadsValuesBitExactlyWithTheTargetAnywhere) {
  TempDir dir;
  for (std::size_t target : {0, 2, 5}) {
    const CsvTable table = MakeCsvTable(300, 5, 3, 11 + target, target);
    const std::string path = dir.File("t" + std::to_string(target) + ".csv");
    WriteFile(path, table.text);
    Dataset data = ReadCsv(path, NoCache());
    EXPECT_EQ(data.rows(), 300u);
    EXPECT_EQ(data.target_name(), "target");
    ExpectRows(data, table);
  }
}

TEST(CsvReaderTest, WriterRoundTripIsBitExact) {
  TempDir dir;
  constexpr std::size_t kRows = 3000;
  Dataset data({"x", "y", "z"}, kRows, "label");
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::lowest(),
                            std::numeric_limits<float>::epsilon(),
                            1.0f / 3.0f,
                            16777217.0f,
                            0.1f};
  Rng rng(5);
  for (std::size_t f = 0; f < 3; ++f) {
    auto column = data.mutable_column(f);
    for (std::size_t r = 0; r < kRows; ++r) {
      if (r < std::size(specials)) {
        column[r] = specials[(r + f) % std::size(specials)];
      } else {
        // Any finite bit pattern: random sign, exponent and mantissa.
        std::uint32_t bits;
        do {
          bits = static_cast<std::uint32_t>(rng.Next());
        } while (((bits >> 23) & 0xff) == 0xff);
        std::memcpy(&column[r], &bits, sizeof(bits));
      }
    }
  }
  auto labels = data.mutable_labels();
  for (std::size_t r = 0; r < kRows; ++r) labels[r] = static_cast<std::int32_t>(r % 7) - 3;
  const std::string path = dir.File("round_trip.csv");
  WriteCsv(data, path);
  CsvOptions options = NoCache(3);
  options.target = "label";
  const Dataset back = ReadCsv(path, options);
  ASSERT_EQ(back.rows(), kRows);
  EXPECT_EQ(back.feature_names(), data.feature_names());
  for (std::size_t r = 0; r < kRows; ++r) {
    ASSERT_EQ(back.labels()[r], data.labels()[r]);
    for (std::size_t f = 0; f < 3; ++f) {
      ASSERT_EQ(Bits(back.at(r, f)), Bits(data.at(r, f))) << "row " << r << " feature " << f;
    }
  }
}

TEST(CsvReaderTest, SameResultForAnyThreadCount) {
  TempDir dir;
  // About 1 MB, so that up to 8 threads each get a piece.
  const CsvTable table = MakeCsvTable(12000, 6, 2, 7);
  const std::string path = dir.File("data.csv");
  WriteFile(path, table.text);
  for (int threads : {1, 2, 3, 4, 7, 8}) {
    SCOPED_TRACE(threads);
    ExpectRows(ReadCsv(path, NoCache(threads)), table);
  }
}

TEST(CsvReaderTest, HandlesCrlfBomQuotedHeaderAndNoFinalNewline) {
  TempDir dir;
  const CsvTable crlf = MakeCsvTable(500, 3, 2, 3, 3, "\r\n", /*final_newline=*/false);
  const std::string path = dir.File("crlf.csv");
  WriteFile(path, "\xEF\xBB\xBF" + crlf.text);
  ExpectRows(ReadCsv(path, NoCache(2)), crlf);

  WriteFile(path, "\"f0\", \"f1\" ,\"target\"\r\n1.5,-2,1\r\n3,4e-3,0\r\n\r\n");
  Dataset data = ReadCsv(path, NoCache());
  ASSERT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"f0", "f1"}));
  EXPECT_EQ(data.at(0, 0), 1.5f);
  EXPECT_EQ(data.at(1, 1), 4e-3f);
  EXPECT_EQ(data.labels()[0], 1);
  EXPECT_EQ(data.labels()[1], 0);
}

TEST(CsvReaderTest, HeaderNameMayContainCommaWhenQuoted) {
  TempDir dir;
  const std::string path = dir.File("q.csv");
  WriteFile(path, "\"a,b\",\"say \"\"hi\"\"\",target\n1,2,3\n");
  Dataset data = ReadCsv(path, NoCache());
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"a,b", "say \"hi\""}));
  EXPECT_EQ(data.labels()[0], 3);
}

TEST(CsvReaderTest, AcceptsSpacesQuotesPlusAndIntegralFloatLabels) {
  TempDir dir;
  const std::string path = dir.File("lenient.csv");
  WriteFile(path, "a,b,target\n 1.25 ,\"-2\",+3\n+7,\" 8 \",-1.0\n1e-45,-0,2147483647\n");
  Dataset data = ReadCsv(path, NoCache());
  ASSERT_EQ(data.rows(), 3u);
  EXPECT_EQ(data.at(0, 0), 1.25f);
  EXPECT_EQ(data.at(0, 1), -2.0f);
  EXPECT_EQ(data.at(1, 0), 7.0f);
  EXPECT_EQ(data.at(1, 1), 8.0f);
  EXPECT_EQ(data.at(2, 0), 1e-45f);  // the smallest subnormal float
  EXPECT_TRUE(std::signbit(data.at(2, 1)));
  // A float-looking label column holds class names, sorted numerically.
  EXPECT_EQ(data.schema().classes, (std::vector<std::string>{"-1.0", "+3", "2147483647"}));
  EXPECT_EQ(data.labels()[0], 1);
  EXPECT_EQ(data.labels()[1], 0);
  EXPECT_EQ(data.labels()[2], 2);
}

TEST(CsvReaderTest, TargetByNameOption) {
  TempDir dir;
  const std::string path = dir.File("label.csv");
  WriteFile(path, "label,x,target\n4,0.5,9\n5,1.5,8\n");
  CsvOptions options = NoCache();
  options.target = "label";
  Dataset data = ReadCsv(path, options);
  EXPECT_EQ(data.target_name(), "label");
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"x", "target"}));
  EXPECT_EQ(data.labels()[1], 5);
  EXPECT_EQ(data.at(1, 1), 8.0f);
}

TEST(CsvReaderTest, MissingValuesBecomeNanUnlessNoMissing) {
  TempDir dir;
  const std::string path = dir.File("missing.csv");
  WriteFile(path, "a,b,target\n1,,0\nnan,2,1\n-inf,\"\",0\n4,NaN,1\n");
  CsvOptions options = NoCache();
  Dataset data = ReadCsv(path, options);
  ASSERT_EQ(data.rows(), 4u);
  EXPECT_EQ(data.at(0, 0), 1.0f);
  EXPECT_TRUE(std::isnan(data.at(0, 1)));
  EXPECT_TRUE(std::isnan(data.at(1, 0)));
  EXPECT_TRUE(std::isnan(data.at(2, 0)));
  EXPECT_TRUE(std::isnan(data.at(2, 1)));
  EXPECT_TRUE(std::isnan(data.at(3, 1)));
  EXPECT_EQ(data.at(3, 0), 4.0f);
  options.no_missing = true;  // --no-missing
  EXPECT_NE(ErrorOf(path, options).find("--no-missing"), std::string::npos);
  // A row with a missing label is skipped and counted.
  WriteFile(path, "a,target\n1,\n2,1\n3,NA\n");
  CsvLoadInfo info;
  data = ReadCsv(path, NoCache(), &info);
  ASSERT_EQ(data.rows(), 1u);
  EXPECT_EQ(data.row_ids()[0], 1);
  EXPECT_EQ(data.labels()[0], 1);
  EXPECT_EQ(info.skipped_missing_label, 2);
}

TEST(CsvReaderTest, FileWithoutTargetWhenNotRequired) {
  TempDir dir;
  const std::string path = dir.File("features_only.csv");
  WriteFile(path, "a,b\n1,2\n3,4\n");
  CsvOptions options = NoCache();
  options.require_target = false;
  Dataset data = ReadCsv(path, options);
  ASSERT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.features(), 2u);
  EXPECT_EQ(data.labels()[0], 0);
  EXPECT_EQ(data.labels()[1], 0);
  EXPECT_EQ(data.at(1, 0), 3.0f);
  WriteFile(path, "a,target,b\n1,7,2\n");
  data = ReadCsv(path, options);
  EXPECT_EQ(data.features(), 2u);
  EXPECT_EQ(data.labels()[0], 7);
}

// Data-driven: every tests/data/csv/bad/NAME.csv fails with the message in NAME.error, where
// {FILE} stands for the path, whatever the thread count (with --no-missing: missing values are
// accepted by default; tests/data/schema/ covers what the reader accepts).
TEST(CsvReaderTest, BadFilesFailWithTheirExpectedMessage) {
  const std::filesystem::path folder = std::filesystem::path(SCALEML_TEST_DATA) / "csv" / "bad";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".csv") continue;
    const std::string path = entry.path().string();
    std::string expected = ReadFile(std::filesystem::path(path).replace_extension(".error"));
    ASSERT_FALSE(expected.empty()) << "no .error file for " << path;
    if (expected.back() == '\n') expected.pop_back();
    expected.replace(expected.find("{FILE}"), 6, path);
    for (int threads : {1, 3}) {
      CsvOptions options = NoCache(threads);
      options.no_missing = true;
      EXPECT_EQ(ErrorOf(path, options), expected) << path;
    }
    ++cases;
  }
  EXPECT_GE(cases, 12);
}

TEST(CsvReaderTest, MissingFileAndDirectoryAreInputErrors) {
  TempDir dir;
  const std::string missing = dir.File("nope.csv");
  EXPECT_EQ(ErrorOf(missing, NoCache()), missing + ": cannot open file: No such file or directory");
  EXPECT_NE(ErrorOf(dir.path().string(), NoCache()).find("is a directory"), std::string::npos);
}

TEST(CsvReaderTest, ParallelParseReportsTheFirstErrorByLine) {
  TempDir dir;
  CsvTable table = MakeCsvTable(12000, 6, 2, 5);
  // Break rows 9000 and 3000 and 11990 (in different threads' pieces): line = row + 2.
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < table.text.size(); ++i) {
    if (table.text[i] == '\n') starts.push_back(i + 1);
  }
  for (std::size_t row : {11990, 9000, 3000}) table.text[starts[row + 1]] = 'x';
  const std::string path = dir.File("broken.csv");
  WriteFile(path, table.text);
  for (int threads : {1, 2, 3, 5, 8}) {
    CsvOptions options = NoCache(threads);
    options.sample_rows = 1000;  // the broken rows lie past the sample that infers the types
    const std::string error = ErrorOf(path, options);
    EXPECT_EQ(error.rfind(path + ":3002: column 1 (f0): 'x", 0), 0u) << error;
  }
}

TEST(CsvReaderTest, ReadPartitionRejectsBadRanks) {
  TempDir dir;
  const std::string path = dir.File("p.csv");
  WriteFile(path, "a,target\n1,0\n");
  EXPECT_THROW(ReadPartition(path, 2, 2, NoCache()), Error);
  EXPECT_THROW(ReadPartition(path, -1, 2, NoCache()), Error);
  EXPECT_THROW(ReadPartition(path, 0, 0, NoCache()), Error);
}

// Row ids whose line starts in partition `rank`'s byte range, computed from the text directly.
std::vector<std::int64_t> ExpectedPartitionRows(const std::string& text, int rank, int nranks) {
  std::size_t data_begin = text.find('\n') + 1;
  std::size_t data_end = text.size();
  while (data_end > data_begin && (text[data_end - 1] == '\n' || text[data_end - 1] == '\r')) {
    --data_end;
  }
  const std::size_t length = data_end - data_begin;
  const std::size_t lo = data_begin + length * rank / nranks;
  const std::size_t hi = data_begin + length * (rank + 1) / nranks;
  std::vector<std::int64_t> rows;
  std::int64_t row = 0;
  for (std::size_t start = data_begin; start < data_end; ++row) {
    if (start >= lo && start < hi) rows.push_back(row);
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string::npos || newline + 1 >= data_end) break;
    start = newline + 1;
  }
  return rows;
}

TEST(CsvReaderTest, PartitionsHoldEveryRowExactlyOnce) {
  TempDir dir;
  const std::string path = dir.File("rows.csv");
  int checked = 0;
  for (std::size_t rows : {1, 2, 3, 5, 10, 37, 100, 1000}) {
    for (bool crlf : {false, true}) {
      const CsvTable table = MakeCsvTable(rows, 3, 4, rows * 31 + crlf, 1, crlf ? "\r\n" : "\n",
                                          /*final_newline=*/rows % 2 == 0);
      WriteFile(path, table.text);
      for (int nranks : {1, 2, 3, 4, 7, 16, 64, 150}) {
        SCOPED_TRACE(::testing::Message()
                     << rows << " rows, " << nranks << " ranks, crlf " << crlf);
        std::vector<int> seen(rows, 0);
        for (int rank = 0; rank < nranks; ++rank) {
          Dataset part = ReadPartition(path, rank, nranks, NoCache(rank % 3 + 1));
          const auto ids = part.row_ids();
          ASSERT_EQ(std::vector<std::int64_t>(ids.begin(), ids.end()),
                    ExpectedPartitionRows(table.text, rank, nranks));
          if (part.rows() > 0) ExpectRows(part, table, static_cast<std::size_t>(ids[0]));
          for (std::int64_t id : ids) ++seen[static_cast<std::size_t>(id)];
        }
        ASSERT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<std::ptrdiff_t>(rows));
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 8 * 2 * 8);
}

TEST(CsvReaderTest, PartitionErrorsNameTheGlobalLine) {
  TempDir dir;
  const std::string path = dir.File("bad_tail.csv");
  CsvTable table = MakeCsvTable(200, 2, 2, 9);
  table.text += "1,oops,0\n";  // line 202 (header + 200 rows + this one)
  WriteFile(path, table.text);
  CsvOptions options = NoCache();
  options.sample_rows = 100;  // every rank infers f1 numeric from the first rows of the file
  try {
    ReadPartition(path, 3, 4, options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ":202: column 2 (f1): 'oops' is not a number; declare "
                                         "the column with --categorical f1");
  }
  // The first partition does not contain the bad row.
  EXPECT_GT(ReadPartition(path, 0, 4, options).rows(), 0u);
}

}  // namespace
}  // namespace scaleml
