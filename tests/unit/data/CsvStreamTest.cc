// Compressed CSV read window by window (data/CsvStreamReader.h): with windows from a few bytes to
// a few kilobytes (so records, quoted fields with newlines, CRLF line ends and categories fall
// across window boundaries), a .csv.gz (one member or several) and a .csv.zst read exactly as the
// plain file does: the same values, labels, row ids, dictionaries and classes, the same errors
// with the same line numbers; partitions hold every row once.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/CsvStreamReader.h"
#include "data/CsvWindows.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::string Gzip(const std::string& text) {
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string Zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

// A table of the shapes real files have: numbers with empty cells, categories quoted when they
// hold the delimiter or a doubled quote, now and then a quoted newline, dates, booleans and
// string labels, some missing (those rows are skipped).
std::string MixedTable(int rows, bool quoted_newlines, bool crlf, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const char* categories[] = {"alpha", "\"b,eta\"", "gamma", "\"say \"\"hi\"\"\"", "delta"};
  const char* labels[] = {"sun", "rain", "fog", "drizzle"};
  const std::string eol = crlf ? "\r\n" : "\n";
  std::string text = "num,cat,note,when,flag,weather" + eol;
  for (int r = 0; r < rows; ++r) {
    const int u = static_cast<int>(rng() % 1000);
    text += u % 11 == 0 ? "" : std::to_string(u * 0.25);
    text += ",";
    text += categories[rng() % 5];
    text += ",";
    text += quoted_newlines && u % 7 == 0 ? "\"two" + eol + "lines\"" : "n" + std::to_string(u % 3);
    text += ",2012-0" + std::to_string(1 + u % 9) + "-1" + std::to_string(u % 10);
    text += u % 2 ? ",TRUE," : ",no,";
    text += u % 37 == 0 ? "" : labels[rng() % 4];
    text += eol;
  }
  return text;
}

CsvOptions Options(int threads = 2) {
  CsvOptions options;
  options.use_cache = false;
  options.target = "weather";
  options.threads = threads;
  options.sample_rows = 3;  // small, so that the first window is small too
  return options;
}

void ExpectSameData(const Dataset& a, const Dataset& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.feature_names(), b.feature_names());
  ASSERT_EQ(a.schema().classes, b.schema().classes);
  ASSERT_EQ(a.schema().features.size(), b.schema().features.size());
  for (std::size_t f = 0; f < a.features(); ++f) {
    ASSERT_EQ(a.schema().features[f].kind, b.schema().features[f].kind) << f;
    ASSERT_EQ(a.schema().features[f].categories, b.schema().features[f].categories) << f;
    for (std::size_t r = 0; r < a.rows(); ++r) {
      const float x = a.at(r, f), y = b.at(r, f);
      ASSERT_TRUE(std::isnan(x) ? std::isnan(y) : x == y) << "row " << r << " feature " << f;
    }
  }
  for (std::size_t r = 0; r < a.rows(); ++r) {
    ASSERT_EQ(a.labels()[r], b.labels()[r]) << r;
    ASSERT_EQ(a.row_ids()[r], b.row_ids()[r]) << r;
  }
}

struct Files {
  std::string plain, gzip, multi_gzip, zstd;
};

Files WriteAll(const TempDir& dir, const std::string& text) {
  Files files{dir.File("t.csv"), dir.File("t.csv.gz"), dir.File("multi.csv.gz"),
              dir.File("t.csv.zst")};
  WriteFile(files.plain, text);
  WriteFile(files.gzip, Gzip(text));
  // Members split anywhere, even inside a record: gunzip reads them as one stream.
  const std::size_t half = text.size() / 2 + 3;
  WriteFile(files.multi_gzip, Gzip(text.substr(0, half)) + Gzip(text.substr(half)));
  WriteFile(files.zstd, Zstd(text));
  return files;
}

TEST(CsvStreamTest, EveryWindowSizeReadsAsThePlainFile) {
  for (bool quoted_newlines : {false, true}) {
    for (bool crlf : {false, true}) {
      TempDir dir;
      const Files files = WriteAll(dir, MixedTable(700, quoted_newlines, crlf, 42));
      const Dataset expected = ReadPartition(files.plain, 0, 1, Options());
      ASSERT_GT(expected.rows(), 600u);
      for (const std::string& path : {files.gzip, files.multi_gzip, files.zstd}) {
        for (std::size_t window : {64, 301, 4096, 1 << 20}) {
          SCOPED_TRACE(path + " window " + std::to_string(window) + " quoted newlines " +
                       std::to_string(quoted_newlines) + " crlf " + std::to_string(crlf));
          CsvLoadInfo info;
          const Dataset got = ReadCompressedCsv(path, Options(), 0, 1, &info, window);
          ExpectSameData(got, expected);
          EXPECT_GT(info.skipped_missing_label, 0);
        }
      }
      // ReadCsv's whole-file decisions and default window.
      ExpectSameData(ReadCsv(files.gzip, Options()), ReadCsv(files.plain, Options()));
    }
  }
}

TEST(CsvStreamTest, PartitionsHoldEveryRowOnceWithItsGlobalId) {
  TempDir dir;
  const Files files = WriteAll(dir, MixedTable(500, true, false, 7));
  const Dataset whole = ReadPartition(files.plain, 0, 1, Options());
  const Schema& schema = whole.schema();
  for (int nranks : {2, 3}) {
    std::map<std::int64_t, std::size_t> seen;  // row id -> rank count
    for (int rank = 0; rank < nranks; ++rank) {
      const Dataset part = ReadCompressedCsv(files.zstd, Options(1), rank, nranks, nullptr, 512);
      EXPECT_GT(part.rows(), 0u) << rank;
      for (std::size_t r = 0; r < part.rows(); ++r) {
        const std::int64_t id = part.row_ids()[r];
        ++seen[id];
        // The whole read's row with this id: the same names and values.
        const auto at = std::lower_bound(whole.row_ids().begin(), whole.row_ids().end(), id);
        ASSERT_NE(at, whole.row_ids().end());
        const std::size_t w = static_cast<std::size_t>(at - whole.row_ids().begin());
        EXPECT_EQ(part.schema().ClassName(part.labels()[r]), schema.ClassName(whole.labels()[w]));
        for (std::size_t f = 0; f < part.features(); ++f) {
          const float x = part.at(r, f), y = whole.at(w, f);
          if (std::isnan(y)) {
            EXPECT_TRUE(std::isnan(x));
          } else if (schema.IsCategorical(f)) {
            EXPECT_EQ(part.schema().features[f].categories[static_cast<std::size_t>(x)],
                      schema.features[f].categories[static_cast<std::size_t>(y)]);
          } else {
            EXPECT_EQ(x, y);
          }
        }
      }
    }
    EXPECT_EQ(seen.size(), whole.rows()) << nranks;
    for (const auto& [id, count] : seen) EXPECT_EQ(count, 1u) << "row " << id;
  }
}

std::string ErrorOf(const std::string& path, std::size_t window, const CsvOptions& options) {
  try {
    if (window == 0) {
      ReadCsv(path, options);
    } else {
      ReadCompressedCsv(path, options, 0, 1, nullptr, window);
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput) << e.what();
    std::string message = e.what();
    message.erase(0, path.size());  // the messages name each its own file
    return message;
  }
  return "no error";
}

TEST(CsvStreamTest, ErrorsNameTheSameLineAsThePlainFile) {
  for (bool quoted_newlines : {false, true}) {
    std::string text = MixedTable(300, quoted_newlines, false, 3);
    // A number where a date belongs, late in the file, after quoted newlines.
    const std::size_t late = text.rfind(",2012-", text.size() - 200);
    text.replace(late + 1, 10, "2012-99-99");
    TempDir dir;
    const Files files = WriteAll(dir, text);
    const std::string expected = ErrorOf(files.plain, 0, Options());
    ASSERT_NE(expected, "no error");
    for (std::size_t window : {64, 1000}) {
      EXPECT_EQ(ErrorOf(files.gzip, window, Options()), expected) << window;
      EXPECT_EQ(ErrorOf(files.zstd, window, Options()), expected) << window;
    }
  }
  // A blank line in the middle and an unterminated quote at the end.
  TempDir dir;
  for (const std::string& text : {std::string("a,weather\n1,x\n2,y\n\n3,x\n4,y\n"),
                                  std::string("a,weather\n1,x\n2,y\n3,\"x\n4,y\n")}) {
    const Files files = WriteAll(dir, text);
    CsvOptions options = Options(1);
    options.sample_rows = 1;
    const std::string expected = ErrorOf(files.plain, 0, options);
    ASSERT_NE(expected, "no error");
    for (std::size_t window : {4, 8, 4096}) {
      EXPECT_EQ(ErrorOf(files.gzip, window, options), expected) << window;
    }
  }
}

TEST(CsvStreamTest, ACutOrCorruptStreamIsOneErrorNamingTheFile) {
  TempDir dir;
  const std::string text = MixedTable(2000, false, false, 9);
  const std::string gz = Gzip(text), zst = Zstd(text);
  const std::string cut_gz = dir.File("cut.csv.gz"), cut_zst = dir.File("cut.csv.zst");
  WriteFile(cut_gz, gz.substr(0, gz.size() * 2 / 3));
  WriteFile(cut_zst, zst.substr(0, zst.size() * 2 / 3));
  for (std::size_t window : {256, 1 << 20}) {
    EXPECT_EQ(ErrorOf(cut_gz, window, Options()),
              ": gzip stream ends early (the file is cut short)");
    EXPECT_EQ(ErrorOf(cut_zst, window, Options()),
              ": zstd stream ends early (the file is cut short)");
  }
  // A damaged checksum: every row parses, then the stream's check fails.
  std::string bad = gz;
  bad[bad.size() - 6] ^= 0x55;
  const std::string bad_gz = dir.File("bad.csv.gz");
  WriteFile(bad_gz, bad);
  EXPECT_EQ(ErrorOf(bad_gz, 256, Options()), ": not a valid gzip file (incorrect data check)");
}

TEST(CsvStreamTest, ScanQuotesFindsRecordEndsOutsideQuotes) {
  const std::string text = "a,\"x\ny\",b\n\"q\"\"\n\",c\nd,e\"f\ng\n";
  const QuoteScan scan = ScanQuotes(text.data(), 0, text.size(), ',');
  EXPECT_EQ(scan.newlines, 4);         // after b, after c, after e"f, after g
  EXPECT_EQ(scan.quoted_newlines, 2);  // inside "x\ny" and "q""\n"
  EXPECT_EQ(scan.last_newline, text.size() - 1);
}

}  // namespace
}  // namespace scaleml
