#include "data/BinaryCache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "core/Error.h"
#include "data/CsvReader.h"
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

}  // namespace
}  // namespace scaleml
