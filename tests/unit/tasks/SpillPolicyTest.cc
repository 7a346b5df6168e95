// Spilling: where a new object goes (shared memory, the spill folder, nowhere) by the node's
// limit and the free space of each filesystem, and a store that spills, maps spilled objects on
// access, reports them, and removes them.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/Error.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/SpillPolicy.h"

namespace scaleml::tasks {
namespace {

constexpr std::int64_t kMB = 1 << 20;

SpaceCheck Check(std::int64_t size, std::int64_t used, std::int64_t limit, std::int64_t shm_free,
                 bool can_spill, std::int64_t spill_free) {
  SpaceCheck check;
  check.size = size;
  check.store_used = used;
  check.store_limit = limit;
  check.shm_free = shm_free;
  check.can_spill = can_spill;
  check.spill_free = spill_free;
  return check;
}

TEST(SpillPolicyTest, PlacesByLimitAndFreeSpace) {
  struct Case {
    const char* what;
    SpaceCheck check;
    Placement expected;
  };
  const Case cases[] = {
      {"room everywhere", Check(10 * kMB, 0, 100 * kMB, 1000 * kMB, true, 1000 * kMB),
       Placement::kSharedMemory},
      {"exactly at the limit", Check(10 * kMB, 90 * kMB, 100 * kMB, 1000 * kMB, true, 0),
       Placement::kSharedMemory},
      {"over the node's limit", Check(10 * kMB, 91 * kMB, 100 * kMB, 1000 * kMB, true, 1000 * kMB),
       Placement::kSpill},
      {"/dev/shm smaller than the limit (Docker's 64 MB)",
       Check(100 * kMB, 0, 1000 * kMB, 64 * kMB, true, 1000 * kMB), Placement::kSpill},
      {"shm free space must keep the headroom",
       Check(10 * kMB, 0, 100 * kMB, 10 * kMB + kFreeSpaceHeadroom - 1, true, 1000 * kMB),
       Placement::kSpill},
      {"no spill folder", Check(10 * kMB, 91 * kMB, 100 * kMB, 1000 * kMB, false, 1000 * kMB),
       Placement::kNoRoom},
      {"both full", Check(100 * kMB, 0, 1000 * kMB, 64 * kMB, true, 50 * kMB), Placement::kNoRoom},
      {"unreadable free space", Check(10 * kMB, 0, 100 * kMB, -1, true, -1), Placement::kNoRoom},
      {"an empty object", Check(0, 0, 100 * kMB, 10 * kMB, false, 0), Placement::kSharedMemory},
  };
  for (const auto& c : cases) EXPECT_EQ(PlaceObject(c.check), c.expected) << c.what;
}

TEST(SpillPolicyTest, NoRoomSaysWhatWasNeededAndWhere) {
  const std::string message = NoRoomMessage(
      Check(100 * 1000 * 1000, 0, 1000 * kMB, 64 * 1000 * 1000, true, 50 * 1000 * 1000), "/dev/shm",
      "/home/u/.scaleml/spill");
  for (const char* part : {"100.0 MB", "100000000 bytes", "/dev/shm has 64.0 MB free",
                           "/home/u/.scaleml/spill has 50.0 MB free"}) {
    EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
}

class SpillingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaleml_spill_XXXXXX";
    dir_ = mkdtemp(pattern);
    shm_ = dir_ + "/shm";
    spill_ = dir_ + "/home/spill";
    std::filesystem::create_directories(shm_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Put(ObjectStore& store, const std::string& id, std::int64_t size, char fill) {
    auto mapping = store.Create(id, size, true, nullptr);
    std::memset(mapping->mutable_data(), fill, static_cast<std::size_t>(size));
    mapping->Seal();
  }
  std::string dir_, shm_, spill_;
};

TEST_F(SpillingStoreTest, OverTheLimitSpillsAndComesBackOnAccess) {
  ObjectStore store(shm_, ObjectStore::PrefixFor("s", "n1"), 10000, spill_);
  Put(store, "a1", 6000, 'a');   // shared memory
  Put(store, "a2", 6000, 'b');   // over the limit: spilled
  Put(store, "a3", 50000, 'c');  // larger than the limit itself: spilled, not an error
  EXPECT_EQ(store.Used(), 6000);
  EXPECT_TRUE(std::filesystem::exists(spill_ + "/" + ObjectStore::PrefixFor("s", "n1") + "a2.p"));
  const StoreUse usage = store.Usage();
  EXPECT_EQ(usage.shm_bytes, 6000);
  EXPECT_EQ(usage.shm_objects, 1);
  EXPECT_EQ(usage.spilled_bytes, 56000);
  EXPECT_EQ(usage.spilled_objects, 2);
  for (const auto& [id, fill, size] :
       {std::tuple{"a1", 'a', 6000}, std::tuple{"a2", 'b', 6000}, std::tuple{"a3", 'c', 50000}}) {
    ASSERT_TRUE(store.Contains(id)) << id;
    auto mapping = store.Open(id);
    ASSERT_NE(mapping, nullptr) << id;
    ASSERT_EQ(mapping->size(), static_cast<std::size_t>(size));
    EXPECT_EQ(mapping->data()[0], fill);
    EXPECT_EQ(mapping->data()[size - 1], fill);
  }
  int spilled = 0;
  for (const auto& object : store.List()) spilled += object.spilled ? 1 : 0;
  EXPECT_EQ(spilled, 2);
  EXPECT_TRUE(store.Remove("a2"));
  EXPECT_FALSE(store.Contains("a2"));
  EXPECT_EQ(store.RemoveAll(), 2);
  EXPECT_TRUE(std::filesystem::is_empty(spill_));
  EXPECT_TRUE(std::filesystem::is_empty(shm_));
}

TEST_F(SpillingStoreTest, RemoveAllNeverTakesFilesThatAreNotAStores) {
  ObjectStore store(shm_, ObjectStore::PrefixFor("s", "n1"), 10000, spill_);
  Put(store, "a1", 100, 'a');
  std::filesystem::create_directories(spill_);
  for (const std::string& dir : {shm_, spill_}) std::ofstream(dir + "/someone_elses_file") << "x";
  EXPECT_EQ(ObjectStore(shm_, "", 0, spill_).RemoveAll(), 0);  // a planted node file's prefix
  EXPECT_EQ(ObjectStore(shm_, "scaleml_", 0, spill_).RemoveAll(), 0);
  EXPECT_EQ(store.RemoveAll(), 1);
  EXPECT_TRUE(std::filesystem::exists(shm_ + "/someone_elses_file"));
  EXPECT_TRUE(std::filesystem::exists(spill_ + "/someone_elses_file"));
}

TEST_F(SpillingStoreTest, UnusedCopiesAreEvictedBeforeAnythingSpills) {
  ObjectStore store(shm_, ObjectStore::PrefixFor("s", "n1"), 10000, spill_);
  {
    auto copy = store.Create("c1", 6000, false, nullptr);
    copy->Seal();
  }
  std::vector<std::string> evicted;
  auto mapping = store.Create("a1", 6000, true, &evicted);
  mapping->Seal();
  EXPECT_EQ(evicted, std::vector<std::string>{"c1"});
  EXPECT_EQ(store.Usage().spilled_objects, 0);
}

TEST_F(SpillingStoreTest, WithoutASpillFolderAFullStoreIsAnErrorWithTheNumbers) {
  ObjectStore store(shm_, ObjectStore::PrefixFor("s", "n1"), 10000);
  Put(store, "a1", 6000, 'a');
  try {
    Put(store, "a2", 6000, 'b');
    FAIL() << "an object over the limit was accepted without a spill folder";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("6000 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find(shm_), std::string::npos) << message;
  }
  EXPECT_EQ(store.Used(), 6000);  // no partial object left
}

}  // namespace
}  // namespace scaleml::tasks
