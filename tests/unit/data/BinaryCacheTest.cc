#include "data/BinaryCache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/SchemaIO.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::Bits;
using testing::CsvTable;
using testing::MakeCsvTable;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

void ExpectSame(const Dataset& a, const Dataset& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.feature_names(), b.feature_names());
  EXPECT_EQ(a.target_name(), b.target_name());
  for (std::size_t f = 0; f < a.features(); ++f) {
    for (std::size_t r = 0; r < a.rows(); ++r) ASSERT_EQ(Bits(a.at(r, f)), Bits(b.at(r, f)));
  }
  for (std::size_t r = 0; r < a.rows(); ++r) {
    ASSERT_EQ(a.labels()[r], b.labels()[r]);
    ASSERT_EQ(a.row_ids()[r], b.row_ids()[r]);
  }
}

// Sets the file's mtime to an exact value, so tests do not depend on the clock's granularity.
void SetMtime(const std::string& path, std::int64_t seconds) {
  struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class BinaryCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = MakeCsvTable(2000, 4, 3, 17);
    csv_ = dir_.File("data.csv");
    cache_ = dir_.File("data.scaleml");
    WriteFile(csv_, table_.text);
    SetMtime(csv_, 1700000000);
  }
  Dataset Load(CsvLoadInfo* info, CsvOptions options = {}) {
    options.threads = 2;
    return ReadCsv(csv_, options, info);
  }

  TempDir dir_;
  CsvTable table_;
  std::string csv_;
  std::string cache_;
};

TEST(CachePathTest, ReplacesTheCsvExtension) {
  EXPECT_EQ(CachePathFor("/a/b/data.csv"), "/a/b/data.scaleml");
  EXPECT_EQ(CachePathFor("DATA.CSV"), "DATA.scaleml");
  EXPECT_EQ(CachePathFor("data.txt"), "data.txt.scaleml");
  EXPECT_EQ(CachePathFor(".csv"), ".csv.scaleml");
}

TEST_F(BinaryCacheTest, SecondLoadIsAZeroCopyViewOfTheCache) {
  CsvLoadInfo first, second;
  Dataset parsed = Load(&first);
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(first.cache_written);
  EXPECT_TRUE(parsed.owned());
  ASSERT_TRUE(std::filesystem::exists(cache_));
  Dataset cached = Load(&second);
  EXPECT_TRUE(second.from_cache);
  EXPECT_FALSE(second.cache_written);
  EXPECT_FALSE(cached.owned());
  ExpectSame(parsed, cached);
  // Sections are page-aligned within the mapping.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(cached.feature_data().data()) % 4096, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(cached.row_ids().data()) % 4096, 0u);
  // The view keeps its mapping alive even when the cache file goes away.
  std::filesystem::remove(cache_);
  ExpectSame(parsed, cached);
}

TEST_F(BinaryCacheTest, NoCacheOptionNeitherReadsNorWrites) {
  CsvOptions options;
  options.use_cache = false;
  CsvLoadInfo info;
  Load(&info, options);
  EXPECT_FALSE(info.cache_written);
  EXPECT_FALSE(std::filesystem::exists(cache_));
  Load(&info);  // writes it
  Load(&info, options);
  EXPECT_FALSE(info.from_cache);
}

TEST_F(BinaryCacheTest, StaleCacheIsIgnoredAndRewritten) {
  CsvLoadInfo info;
  Load(&info);
  // New content of the same size and mtime would fool any cache; change the mtime only first.
  SetMtime(csv_, 1700000123);
  Load(&info);
  EXPECT_FALSE(info.from_cache);
  EXPECT_TRUE(info.cache_written);
  Load(&info);
  EXPECT_TRUE(info.from_cache);

  // Different content (different size), with the old mtime.
  const CsvTable other = MakeCsvTable(1500, 4, 3, 99);
  WriteFile(csv_, other.text);
  SetMtime(csv_, 1700000123);
  Dataset data = Load(&info);
  EXPECT_FALSE(info.from_cache);
  ASSERT_EQ(data.rows(), 1500u);
  EXPECT_EQ(Bits(data.at(1499, 3)), Bits(other.values[1499 * 4 + 3]));
  data = Load(&info);
  EXPECT_TRUE(info.from_cache);
  EXPECT_EQ(Bits(data.at(1499, 3)), Bits(other.values[1499 * 4 + 3]));
}

TEST_F(BinaryCacheTest, CorruptCacheIsNeverTrusted) {
  CsvLoadInfo info;
  const Dataset reference = Load(&info);
  const std::string good = ReadFile(cache_);
  auto corrupt_and_check = [&](const std::string& bytes, const char* what) {
    SCOPED_TRACE(what);
    WriteFile(cache_, bytes);
    Dataset data = Load(&info);
    EXPECT_FALSE(info.from_cache);
    EXPECT_TRUE(info.cache_written);
    ExpectSame(reference, data);
    EXPECT_EQ(ReadFile(cache_), good);  // rewritten
  };
  corrupt_and_check(good.substr(0, good.size() - 8), "truncated");
  corrupt_and_check(good + "x", "extended");
  corrupt_and_check("", "empty");
  corrupt_and_check(std::string(good.size(), 'z'), "garbage");
  for (std::size_t offset : {0, 8, 16, 40, 72, 100, 110}) {
    std::string bytes = good;
    bytes[offset] ^= 0x10;
    corrupt_and_check(bytes, ("header byte " + std::to_string(offset)).c_str());
  }
}

TEST_F(BinaryCacheTest, CacheAnswersOnlyTheTargetItWasMadeFor) {
  WriteFile(csv_, "a,label,target\n0.5,1,2\n1.5,3,4\n");
  CsvLoadInfo info;
  Load(&info);
  EXPECT_TRUE(info.cache_written);
  CsvOptions other_target;
  other_target.target = "label";
  Dataset data = Load(&info, other_target);
  EXPECT_FALSE(info.from_cache);
  EXPECT_EQ(data.target_name(), "label");
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"a", "target"}));
  EXPECT_EQ(data.labels()[1], 3);
  data = Load(&info, other_target);  // now cached for "label"
  EXPECT_TRUE(info.from_cache);
  EXPECT_EQ(data.labels()[1], 3);
  EXPECT_EQ(data.at(1, 1), 4.0f);
}

TEST_F(BinaryCacheTest, CacheWithMissingValuesNeedsAllowMissing) {
  WriteFile(csv_, "a,b,target\n1,,0\n2,3,1\n");
  CsvOptions allow;
  allow.allow_missing = true;
  CsvLoadInfo info;
  Load(&info, allow);
  EXPECT_TRUE(info.cache_written);
  Dataset cached = Load(&info, allow);
  EXPECT_TRUE(info.from_cache);
  EXPECT_TRUE(std::isnan(cached.at(0, 1)));
  // With --no-missing the cached NaN must not slip through: the parse reports the field.
  CsvOptions no_missing;
  no_missing.no_missing = true;
  try {
    Load(&info, no_missing);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              csv_ +
                  ":2: column 2 (b): missing value (empty field); --no-missing rejects missing "
                  "values");
  }
}

TEST_F(BinaryCacheTest, CacheWithoutTargetIsNotUsedWhenTheTargetIsRequired) {
  WriteFile(csv_, "a,b\n1,2\n");
  CsvOptions optional;
  optional.require_target = false;
  CsvLoadInfo info;
  Load(&info, optional);
  Load(&info, optional);
  EXPECT_TRUE(info.from_cache);
  EXPECT_THROW(Load(&info), Error);
}

TEST_F(BinaryCacheTest, UnwritableCacheIsSkippedSilently) {
  // A folder in the cache's place: neither readable as a cache nor replaceable by rename.
  std::filesystem::create_directory(cache_);
  CsvLoadInfo info;
  Dataset data = Load(&info);
  EXPECT_FALSE(info.cache_written);
  EXPECT_EQ(data.rows(), 2000u);
  // No temporary file is left behind: only the CSV and the folder.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 2);
}

TEST_F(BinaryCacheTest, ReadOnlyFolderStillLoads) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  std::filesystem::permissions(
      dir_.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  CsvLoadInfo info;
  Dataset data = Load(&info);
  EXPECT_FALSE(info.cache_written);
  EXPECT_EQ(data.rows(), 2000u);
}

// Byte offsets of the version-2 header fields the tests reach for.
constexpr std::size_t kVersionAt = 8;
constexpr std::size_t kNamesBytesAt = 64;
constexpr std::size_t kSchemaBytesAt = 72;
constexpr std::size_t kFeaturesOffsetAt = 80;
constexpr std::size_t kLabelsOffsetAt = 88;
constexpr std::size_t kRowIdsOffsetAt = 96;

std::uint64_t HeaderField(const std::string& bytes, std::size_t at) {
  std::uint64_t value;
  std::memcpy(&value, bytes.data() + at, sizeof(value));
  return value;
}

void ExpectSameSchema(const Schema& a, const Schema& b) {
  BinaryWriter wa, wb;
  WriteSchema(wa, a);
  WriteSchema(wb, b);
  EXPECT_EQ(wa.bytes(), wb.bytes());  // the serialiser writes every field
}

TEST_F(BinaryCacheTest, AFlippedByteInAnyBlockIsReparsedWithANoticeNamingTheBlock) {
  CsvLoadInfo info;
  const Dataset reference = Load(&info);
  ASSERT_TRUE(info.cache_written);
  const std::string good = ReadFile(cache_);
  const std::uint64_t rows = 2000;
  const std::uint64_t features_at = HeaderField(good, kFeaturesOffsetAt);
  const std::uint64_t names_at = 120;
  const std::uint64_t schema_at = names_at + HeaderField(good, kNamesBytesAt);
  const std::string kMetadata = "header, names, schema or block checksums";
  struct Flip {
    std::uint64_t offset;
    std::string block;
  };
  const std::vector<Flip> flips = {
      {features_at + 5, "feature column 0 (f0)"},
      {features_at + 2 * rows * 4 + 1234, "feature column 2 (f2)"},
      {features_at + 4 * rows * 4 - 1, "feature column 3 (f3)"},
      {HeaderField(good, kLabelsOffsetAt) + 4 * 1000, "labels"},
      {HeaderField(good, kRowIdsOffsetAt) + 8 * 1999 + 7, "row ids"},
      {names_at + 10, kMetadata},
      {schema_at + 13, kMetadata},
      {schema_at + HeaderField(good, kSchemaBytesAt) + 3, kMetadata},  // the block checksums
  };
  for (const Flip& flip : flips) {
    SCOPED_TRACE(flip.block);
    std::string bytes = good;
    ASSERT_LT(flip.offset, bytes.size());
    bytes[flip.offset] ^= 0x01;
    WriteFile(cache_, bytes);
    ::testing::internal::CaptureStderr();
    Dataset data = Load(&info);
    const std::string notice = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(info.from_cache);
    EXPECT_TRUE(info.cache_written);
    ExpectSame(reference, data);
    EXPECT_EQ(ReadFile(cache_), good);  // rewritten
    EXPECT_NE(notice.find(cache_ + ": the binary cache is corrupt (" + flip.block),
              std::string::npos)
        << notice;
    EXPECT_EQ(std::count(notice.begin(), notice.end(), '\n'), 1) << notice;
  }
  // The rewritten cache serves again, quietly.
  ::testing::internal::CaptureStderr();
  Load(&info);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(info.from_cache);
}

TEST_F(BinaryCacheTest, ACacheOfAnotherVersionIsRebuiltQuietly) {
  CsvLoadInfo info;
  Load(&info);
  std::string bytes = ReadFile(cache_);
  const std::uint32_t version_one = 1;
  std::memcpy(bytes.data() + kVersionAt, &version_one, sizeof(version_one));
  WriteFile(cache_, bytes);
  ::testing::internal::CaptureStderr();
  Load(&info);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_FALSE(info.from_cache);
  EXPECT_TRUE(info.cache_written);
}

TEST_F(BinaryCacheTest, AnEditInPlaceThatRestoresTheMtimeIsNotServedFromTheCache) {
  CsvLoadInfo info;
  Load(&info);
  Load(&info);
  ASSERT_TRUE(info.from_cache);
  // The kernel stamps ctime from a coarse clock: let it tick past the cache's stamp.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  // Change one digit of the first data row, same size, and put the mtime back.
  std::string text = ReadFile(csv_);
  const std::size_t digit = text.find_first_of("123456789", text.find('\n'));
  text[digit] = text[digit] == '9' ? '8' : static_cast<char>(text[digit] + 1);
  {
    std::FILE* f = std::fopen(csv_.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fseek(f, static_cast<long>(digit), SEEK_SET), 0);
    ASSERT_EQ(std::fputc(text[digit], f), text[digit]);
    ASSERT_EQ(std::fclose(f), 0);
  }
  SetMtime(csv_, 1700000000);
  Dataset data = Load(&info);
  EXPECT_FALSE(info.from_cache);
  CsvOptions no_cache;
  no_cache.use_cache = false;
  ExpectSame(ReadCsv(csv_, no_cache), data);
  EXPECT_NE(Bits(data.at(0, 0)), Bits(table_.values[0]));
}

TEST_F(BinaryCacheTest, TheKeyIsSizeMtimeCtimeAndInode) {
  CsvLoadInfo info;
  const Dataset data = Load(&info);
  const CsvSource source = *CsvSourceOf(csv_);
  ASSERT_TRUE(WriteCache(cache_, data, source, CacheFlags{}));
  EXPECT_TRUE(LoadCache(cache_, source, CsvOptions{}).has_value());
  for (int field = 0; field < 4; ++field) {
    CsvSource other = source;
    if (field == 0) other.size += 1;
    if (field == 1) other.mtime_ns += 1;
    if (field == 2) other.ctime_ns += 1;
    if (field == 3) other.inode += 1;
    EXPECT_FALSE(LoadCache(cache_, other, CsvOptions{}).has_value()) << "field " << field;
  }
  // A different file of the same size and mtime in the CSV's place: another inode.
  const std::string copy = dir_.File("copy.csv");
  std::filesystem::copy_file(csv_, copy);
  SetMtime(copy, 1700000000);
  std::filesystem::rename(copy, csv_);
  Load(&info);
  EXPECT_FALSE(info.from_cache);
}

TEST_F(BinaryCacheTest, TheSchemaRoundTripsThroughTheCache) {
  // A table with a categorical feature, a datetime column and named classes, set by hand.
  Dataset data({"colour", "size", "when.days"}, 5);
  const float colours[] = {0, 2, 1, NAN, 2};
  for (std::size_t r = 0; r < 5; ++r) {
    data.mutable_column(0)[r] = colours[r];
    data.mutable_column(1)[r] = static_cast<float>(r) * 1.5f;
    data.mutable_column(2)[r] = 19000.0f + static_cast<float>(r);
    data.mutable_labels()[r] = static_cast<std::int32_t>(r % 3);
  }
  Schema schema;
  schema.columns = {{"colour", ColumnType::kCategorical, false, false},
                    {"size", ColumnType::kNumeric, false, false},
                    {"when", ColumnType::kDatetime, false, false},
                    {"target", ColumnType::kCategorical, true, false}};
  schema.features.resize(3);
  schema.features[0].kind = FeatureKind::kCategorical;
  schema.features[0].categories = {"blue", "green", "red"};
  schema.classes = {"cat", "dog", "emu"};
  data.set_schema(schema);
  const CsvSource source{123, 456, 789, 42};
  ASSERT_TRUE(WriteCache(cache_, data, source, CacheFlags{true, true}));
  CsvOptions options;
  options.allow_missing = true;
  auto cached = LoadCache(cache_, source, options);
  ASSERT_TRUE(cached.has_value());
  ExpectSameSchema(cached->schema(), schema);
  ExpectSame(data, *cached);

  // And through ReadCsv: the load from the cache has the schema the parse produced.
  CsvLoadInfo info;
  const Dataset parsed = Load(&info);
  const Dataset again = Load(&info);
  ASSERT_TRUE(info.from_cache);
  ExpectSameSchema(again.schema(), parsed.schema());
}

}  // namespace
}  // namespace scaleml
