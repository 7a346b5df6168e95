// The object store in one process: put/get, zero-copy dataset views, eviction of unused copies
// only, the limit's errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include "core/Error.h"
#include "data/DatasetMeta.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/ObjectStore.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml::tasks {
namespace {

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaleml_objstore_XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `size` bytes of value `fill` as object `id`.
  void PutBytes(ObjectStore& store, const std::string& id, std::int64_t size, bool primary,
                char fill, std::vector<std::string>* evicted = nullptr) {
    auto mapping = store.Create(id, size, primary, evicted);
    std::memset(mapping->mutable_data(), fill, static_cast<size_t>(size));
    mapping->Seal();
  }

  std::string dir_;
};

TEST_F(ObjectStoreTest, DatasetRoundTripIsAZeroCopyView) {
  ObjectStore store(dir_, ObjectStore::PrefixFor("s", "n1"), 64 << 20);
  Dataset data = scaleml::testing::MakeBlobs(1001, 3, 3, 2.0, 5);
  const std::size_t size = DatasetObject::SizeOf(data);
  {
    auto mapping = store.Create("ab12", static_cast<std::int64_t>(size), true, nullptr);
    DatasetObject::Write(data, mapping->mutable_data());
    EXPECT_FALSE(store.Contains("ab12"));  // not visible before it is sealed
    mapping->Seal();
  }
  ASSERT_TRUE(store.Contains("ab12"));
  auto mapping = store.Open("ab12");
  ASSERT_NE(mapping, nullptr);
  const char* begin = mapping->data();
  const char* end = begin + mapping->size();
  Dataset view = DatasetObject::View(std::move(mapping));
  EXPECT_FALSE(view.owned());
  ASSERT_EQ(view.rows(), data.rows());
  ASSERT_EQ(view.feature_names(), data.feature_names());
  EXPECT_EQ(view.target_name(), data.target_name());
  const char* column = reinterpret_cast<const char*>(view.column(2).data());
  EXPECT_TRUE(column >= begin && column < end) << "the view must point into the mapping";
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t r = 0; r < data.rows(); ++r) ASSERT_EQ(view.at(r, f), data.at(r, f));
  }
  for (std::size_t r = 0; r < data.rows(); ++r) {
    ASSERT_EQ(view.labels()[r], data.labels()[r]);
    ASSERT_EQ(view.row_ids()[r], data.row_ids()[r]);
  }
  EXPECT_EQ(store.Used(), static_cast<std::int64_t>(size));
}

TEST_F(ObjectStoreTest, GarbageIsNotADataset) {
  ObjectStore store(dir_, ObjectStore::PrefixFor("s", "n1"), 1 << 20);
  PutBytes(store, "cd", 4096, true, 'x');
  EXPECT_THROW(DatasetObject::View(store.Open("cd")), Error);
  EXPECT_EQ(store.Open("ef"), nullptr);
  EXPECT_THROW(store.Open("../etc"), Error);
}

// Found by fuzz/dataset_object.cc: a header whose offsets wrap around, or column names that are
// not a JSON list of strings, are a Failure, not a read outside the mapping or an uncaught
// nlohmann exception.
TEST_F(ObjectStoreTest, ACorruptHeaderOrNamesIsAFailure) {
  ObjectStore store(dir_, ObjectStore::PrefixFor("s", "n1"), 64 << 20);
  Dataset data = scaleml::testing::MakeBlobs(10, 2, 2, 2.0, 5);
  const std::size_t size = DatasetObject::SizeOf(data);
  auto put = [&](const std::string& id, const std::function<void(char*)>& corrupt) {
    auto mapping = store.Create(id, static_cast<std::int64_t>(size), true, nullptr);
    DatasetObject::Write(data, mapping->mutable_data());
    corrupt(mapping->mutable_data());
    mapping->Seal();
  };
  put("a1", [](char*) {});
  EXPECT_NO_THROW(DatasetObject::View(store.Open("a1")));
  put("a2", [](char* bytes) {  // names: "[\"" and garbage
    std::uint64_t names_offset = 0;
    std::memcpy(&names_offset, bytes + 24, 8);
    std::memcpy(bytes + names_offset, "[\"t\", 7", 8);
  });
  EXPECT_THROW(DatasetObject::View(store.Open("a2")), Error);
  put("a3", [](char* bytes) {  // names_offset + names_size wraps around to a small number
    const std::uint64_t offset = ~std::uint64_t{0} - 7, names_size = 16;
    std::memcpy(bytes + 24, &offset, 8);
    std::memcpy(bytes + 32, &names_size, 8);
  });
  EXPECT_THROW(DatasetObject::View(store.Open("a3")), Error);
}

TEST_F(ObjectStoreTest, EvictsOnlyUnusedCopiesOldestFirst) {
  ObjectStore store(dir_, ObjectStore::PrefixFor("s", "n1"), 10000);
  PutBytes(store, "a1", 3000, false, 'a');
  PutBytes(store, "a2", 3000, false, 'b');
  PutBytes(store, "a3", 3000, true, 'c');
  auto in_use = store.Open("a1");  // oldest, but mapped: must stay
  std::vector<std::string> evicted;
  PutBytes(store, "a4", 3000, false, 'd', &evicted);
  EXPECT_EQ(evicted, std::vector<std::string>{"a2"});
  EXPECT_TRUE(store.Contains("a1"));
  EXPECT_FALSE(store.Contains("a2"));
  EXPECT_EQ(in_use->data()[0], 'a');
  // With a4 mapped too, nothing is evictable: copies in use and primaries stay.
  auto also_in_use = store.Open("a4");
  EXPECT_THROW(PutBytes(store, "a5", 3000, true, 'e'), Error);
  EXPECT_TRUE(store.Contains("a1") && store.Contains("a3") && store.Contains("a4"));
  in_use.reset();
  evicted.clear();
  PutBytes(store, "a5", 3000, true, 'e', &evicted);
  EXPECT_EQ(evicted.size(), 1u);
  EXPECT_LE(store.Used(), 10000);
}

TEST_F(ObjectStoreTest, ObjectLargerThanTheLimitIsAClearInputError) {
  ObjectStore store(dir_, ObjectStore::PrefixFor("s", "n1"), 1000);
  try {
    store.Create("ff", 5000, true, nullptr);
    FAIL() << "an object over the limit was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("--object-store-memory"), std::string::npos);
  }
  EXPECT_EQ(store.Used(), 0);
}

TEST_F(ObjectStoreTest, StoresOfTwoNodesShareAFolderWithoutSeeingEachOther) {
  ObjectStore one(dir_, ObjectStore::PrefixFor("s", "n1"), 1 << 20);
  ObjectStore two(dir_, ObjectStore::PrefixFor("s", "n2"), 1 << 20);
  PutBytes(one, "aa", 100, true, 'a');
  EXPECT_TRUE(one.Contains("aa"));
  EXPECT_FALSE(two.Contains("aa"));
  EXPECT_EQ(two.Used(), 0);
  EXPECT_EQ(one.RemoveAll(), 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

}  // namespace
}  // namespace scaleml::tasks
