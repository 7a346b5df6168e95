// Object transfer between two stores over loopback TCP: the bytes arrive intact and are
// published only after the checksum matches; a wrong token, a missing object or a checksum that
// does not match is a clear error and leaves nothing behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/Error.h"
#include "data/DatasetMeta.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/ObjectTransfer.h"
#include "net/Socket.h"

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
    mapping->Seal();
    net::Listener listener;
    ASSERT_TRUE(ObjectTransfer::Listen("127.0.0.1", 0, &listener).ok());
    port_ = listener.port;
    server_ = fork();
    if (server_ == 0) ObjectTransfer::Serve(std::move(listener.socket), *source_, "the-token");
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
  Status PullStatus(const std::string& token, const ObjectInfo& object) {
    std::int64_t bytes = -1;
    return ObjectTransfer::Pull("127.0.0.1", port_, token, object, *target_, nullptr, &bytes);
  }
  std::string PullError(const std::string& token, const ObjectInfo& object) {
    const Status s = PullStatus(token, object);
    return s.ok() ? "no error" : s.message();
  }

  std::string dir_;
  std::unique_ptr<ObjectStore> source_, target_;
  ObjectInfo object_;
  int port_ = 0;
  pid_t server_ = -1;
};

TEST_F(ObjectTransferTest, PullCopiesTheBytesAndPublishesAVerifiedCopy) {
  std::int64_t bytes = 0;
  ASSERT_TRUE(
      ObjectTransfer::Pull("127.0.0.1", port_, "the-token", object_, *target_, nullptr, &bytes)
          .ok());
  EXPECT_EQ(bytes, object_.size);
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
  const Status refused = PullStatus("not-the-token", object_);
  EXPECT_EQ(refused.code(), StatusCode::kDenied);
  EXPECT_NE(refused.message().find("wrong token"), std::string::npos);
  EXPECT_EQ(target_->Used(), 0);
}

TEST_F(ObjectTransferTest, MissingObjectAndBadChecksumLeaveNothing) {
  ObjectInfo missing = object_;
  missing.object_id = "abc";
  EXPECT_NE(PullError("the-token", missing).find("no object abc"), std::string::npos);
  ObjectInfo corrupt = object_;
  corrupt.checksum ^= 1;
  const Status mismatch = PullStatus("the-token", corrupt);
  EXPECT_EQ(mismatch.code(), StatusCode::kInvalid);
  EXPECT_NE(mismatch.message().find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(target_->Contains(object_.object_id));
  EXPECT_EQ(target_->Used(), 0);  // no temporary left either
}

TEST_F(ObjectTransferTest, NoServerIsAClearFailure) {
  StopServer();
  const Status s = PullStatus("the-token", object_);
  EXPECT_EQ(s.code(), StatusCode::kRefused);
  EXPECT_NE(s.message().find("cannot reach the object server"), std::string::npos);
}

// The attack of issue 13: 70 idle TCP connections with no token made every pull from the node
// fail until they were released. Now honest pulls get through while they are open, and the
// server drops them after its authentication deadline.
TEST_F(ObjectTransferTest, IdleUnauthenticatedConnectionsDoNotLockPullsOut) {
  std::vector<net::Socket> idle;
  for (int i = 0; i < 70; ++i) {
    net::Socket socket;
    ASSERT_TRUE(net::ConnectBefore("127.0.0.1", port_, net::DeadlineIn(5), &socket).ok());
    idle.push_back(std::move(socket));
  }
  const auto start = net::Clock::now();
  for (int pull = 0; pull < 3; ++pull) {
    const Status s = PullStatus("the-token", object_);
    ASSERT_TRUE(s.ok()) << "pull " << pull << " with 70 idle sockets open: " << s.message();
    ASSERT_TRUE(target_->Remove(object_.object_id));
  }
  EXPECT_LT(std::chrono::duration<double>(net::Clock::now() - start).count(), kAuthDeadlineS)
      << "pulls must not wait for the idle sockets to time out";
  // Every idle socket is closed by the server within the deadline (and a little slack).
  for (auto& socket : idle) {
    char byte = 0;
    const Status s = net::RecvAll(socket.fd(), &byte, 1, net::DeadlineIn(kAuthDeadlineS + 3));
    EXPECT_EQ(s.code(), StatusCode::kPeerLost) << s.message();
  }
}

// A peer that sends half a request and stalls is dropped at the deadline too.
TEST_F(ObjectTransferTest, AHalfSentRequestIsDroppedAtTheDeadline) {
  net::Socket socket;
  ASSERT_TRUE(net::ConnectBefore("127.0.0.1", port_, net::DeadlineIn(5), &socket).ok());
  const std::string half = "SMOBJ1 the-tok";
  ASSERT_TRUE(net::SendAll(socket.fd(), half.data(), half.size(), net::DeadlineIn(5)).ok());
  char byte = 0;
  const auto start = net::Clock::now();
  EXPECT_EQ(net::RecvAll(socket.fd(), &byte, 1, net::DeadlineIn(kAuthDeadlineS + 3)).code(),
            StatusCode::kPeerLost);
  EXPECT_LT(std::chrono::duration<double>(net::Clock::now() - start).count(), kAuthDeadlineS + 1);
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
