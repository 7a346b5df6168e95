// Object transfer between two stores over loopback TCP: the bytes arrive intact and are
// published only after the checksum matches; a wrong token, a missing object or a checksum that
// does not match is a clear error and leaves nothing behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/Error.h"
#include "data/DatasetMeta.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/ObjectTransfer.h"

namespace scaleml::tasks {
namespace {

class ObjectTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaleml_transfer_XXXXXX";
    dir_ = mkdtemp(pattern);
    source_ = std::make_unique<ObjectStore>(dir_, ObjectStore::PrefixFor("s", "src"), 64 << 20);
    target_ = std::make_unique<ObjectStore>(dir_, ObjectStore::PrefixFor("s", "dst"), 64 << 20);
    // 5 MB of varied bytes: more than one 4 MB chunk.
    object_.object_id = "0bec7";
    object_.size = 5 << 20;
    auto mapping = source_->Create(object_.object_id, object_.size, true, nullptr);
    for (std::int64_t i = 0; i < object_.size; ++i) {
      mapping->mutable_data()[i] = static_cast<char>((i * 2654435761u) >> 13);
    }
    object_.checksum = ChecksumOf(mapping->data(), mapping->size());
    mapping->Seal(source_->SealPath(object_.object_id, true));
    const int listen_fd = ObjectTransfer::Listen("127.0.0.1", &port_);
    server_ = fork();
    if (server_ == 0) ObjectTransfer::Serve(listen_fd, *source_, "the-token");
    close(listen_fd);
  }
  void TearDown() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }
  void StopServer() {
    if (server_ <= 0) return;
    kill(server_, SIGKILL);
    waitpid(server_, nullptr, 0);
    server_ = -1;
  }
  std::string PullError(const std::string& token, const ObjectInfo& object) {
    try {
      ObjectTransfer::Pull("127.0.0.1", port_, token, object, *target_, nullptr);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  std::string dir_;
  std::unique_ptr<ObjectStore> source_, target_;
  ObjectInfo object_;
  int port_ = 0;
  pid_t server_ = -1;
};

TEST_F(ObjectTransferTest, PullCopiesTheBytesAndPublishesAVerifiedCopy) {
  EXPECT_EQ(ObjectTransfer::Pull("127.0.0.1", port_, "the-token", object_, *target_, nullptr),
            object_.size);
  auto copy = target_->Open(object_.object_id);
  ASSERT_NE(copy, nullptr);
  auto original = source_->Open(object_.object_id);
  ASSERT_EQ(copy->size(), original->size());
  EXPECT_EQ(std::memcmp(copy->data(), original->data(), copy->size()), 0);
  EXPECT_EQ(ChecksumOf(copy->data(), copy->size()), object_.checksum);
  auto listed = target_->List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].primary);  // a copy: evictable
}

TEST_F(ObjectTransferTest, WrongTokenIsRefused) {
  EXPECT_NE(PullError("not-the-token", object_).find("wrong token"), std::string::npos);
  EXPECT_EQ(target_->Used(), 0);
}

TEST_F(ObjectTransferTest, MissingObjectAndBadChecksumLeaveNothing) {
  ObjectInfo missing = object_;
  missing.object_id = "abc";
  EXPECT_NE(PullError("the-token", missing).find("no object abc"), std::string::npos);
  ObjectInfo corrupt = object_;
  corrupt.checksum ^= 1;
  EXPECT_NE(PullError("the-token", corrupt).find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(target_->Contains(object_.object_id));
  EXPECT_EQ(target_->Used(), 0);  // no temporary left either
}

TEST_F(ObjectTransferTest, NoServerIsAClearFailure) {
  StopServer();
  EXPECT_NE(PullError("the-token", object_).find("cannot reach the object server"),
            std::string::npos);
}

}  // namespace
}  // namespace scaleml::tasks

// The protocol's lines, parsed by pure functions: anything but the exact forms is refused.
namespace scaleml::tasks {
namespace {

TEST(ObjectProtocolTest, RequestLine) {
  auto request = ParseObjectRequest("SMOBJ1 tok3n 0a1b2c");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->token, "tok3n");
  EXPECT_EQ(request->object_id, "0a1b2c");
  for (const char* bad : {"", "SMOBJ1", "SMOBJ1 tok", "SMOBJ2 tok id", "SMOBJ1  id",
                          "SMOBJ1 tok id extra", "SMOBJ1 tok "}) {
    EXPECT_FALSE(ParseObjectRequest(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseObjectRequest("SMOBJ1 tok " + std::string(80, 'a')).has_value());
}

TEST(ObjectProtocolTest, ReplyLine) {
  ObjectReply ok = ParseObjectReply("OK 1234", "peer");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.size, 1234);
  ObjectReply refused = ParseObjectReply("ERR wrong token", "peer");
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.error, "wrong token");
  for (const char* bad : {"", "OK", "OK ", "OK -5", "OK 12x", "OK 99999999999999999999", "HELLO"}) {
    EXPECT_THROW(ParseObjectReply(bad, "peer"), Error) << bad;
  }
}

}  // namespace
}  // namespace scaleml::tasks
