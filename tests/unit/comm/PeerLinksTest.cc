#include "comm/PeerLinks.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/Stopwatch.h"

namespace scaleml {
namespace {

// The group's key-value store, in memory; `on_publish` sees every key as it is set.
class MemoryStore {
 public:
  PeerLinks::Rendezvous Rendezvous() {
    return {[this](const std::string& key, const std::string& value) { Publish(key, value); },
            [this](const std::string& key) { return Lookup(key); }};
  }
  std::function<void(const std::string&, const std::string&)> on_publish;

 private:
  void Publish(const std::string& key, const std::string& value) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      values_[key] = value;
    }
    changed_.notify_all();
    if (on_publish) on_publish(key, value);
  }
  std::string Lookup(const std::string& key) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!changed_.wait_for(lock, std::chrono::seconds(10), [&] { return values_.count(key); })) {
      throw std::runtime_error("store: no key " + key);
    }
    return values_[key];
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::string> values_;
};

// Forms a mesh of `size` ranks, one thread each, and runs `body` on every rank.
void RunMesh(int size, double timeout_s, const std::function<void(PeerLinks&)>& body,
             MemoryStore* store = nullptr) {
  MemoryStore own;
  MemoryStore& used = store != nullptr ? *store : own;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(static_cast<std::size_t>(size));
  for (int rank = 0; rank < size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        auto links =
            PeerLinks::Connect(rank, size, "127.0.0.1", used.Rendezvous(), "test/", timeout_s);
        body(*links);
      } catch (const std::exception& e) {
        errors[rank] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int rank = 0; rank < size; ++rank) EXPECT_EQ(errors[rank], "") << "rank " << rank;
}

std::vector<std::byte> Pattern(int from, int to, int round, std::size_t bytes) {
  std::vector<std::byte> data(bytes);
  for (std::size_t i = 0; i < bytes; ++i) {
    data[i] = static_cast<std::byte>((from * 31 + to * 7 + round * 13 + i) & 0xff);
  }
  return data;
}

TEST(PeerLinks, EveryPairExchangesInBothDirectionsRoundAfterRound) {
  // 8 MB both ways at once is far more than the sockets buffer: neither side may block on its
  // send while the other does the same.
  const std::size_t sizes[] = {0, 1, 40'816, std::size_t{8} << 20};
  RunMesh(3, 20.0, [&](PeerLinks& links) {
    const int me = links.rank();
    for (int round = 0; round < 4; ++round) {
      const std::size_t bytes = sizes[round];
      std::vector<std::vector<std::byte>> outgoing(3), incoming(3);
      std::vector<PeerLinks::Outgoing> sends;
      std::vector<PeerLinks::Incoming> receives;
      for (int peer = 0; peer < 3; ++peer) {
        if (peer == me) continue;
        outgoing[peer] = Pattern(me, peer, round, bytes);
        incoming[peer].resize(bytes);
        sends.push_back({peer, outgoing[peer]});
        receives.push_back({peer, incoming[peer]});
      }
      const Status status = links.Exchange(sends, receives);
      ASSERT_TRUE(status.ok()) << status.message();
      for (int peer = 0; peer < 3; ++peer) {
        if (peer == me) continue;
        EXPECT_EQ(incoming[peer], Pattern(peer, me, round, bytes));
      }
    }
  });
}

TEST(PeerLinks, OneWayMessagesAsABroadcastSends) {
  RunMesh(3, 10.0, [](PeerLinks& links) {
    std::vector<std::byte> data =
        links.rank() == 2 ? Pattern(2, 0, 0, 1000) : std::vector<std::byte>(1000);
    Status status = Status::Ok();
    if (links.rank() == 2) {
      std::vector<PeerLinks::Outgoing> sends = {{0, data}, {1, data}};
      status = links.Exchange(sends, {});
    } else {
      std::vector<PeerLinks::Incoming> receives = {{2, data}};
      status = links.Exchange({}, receives);
    }
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(data, Pattern(2, 0, 0, 1000));
  });
}

// Waits for 64 bytes from `peer`, which never sends them; the failure and how long it took.
std::pair<Status, double> ReceiveInVain(PeerLinks& links, int peer) {
  std::vector<std::byte> buffer(64);
  std::vector<PeerLinks::Incoming> receives = {{peer, buffer}};
  Stopwatch waited;
  Status status = links.Exchange({}, receives);
  return {status, waited.Seconds()};
}

TEST(PeerLinks, APeerThatClosesIsReportedAtOnceByName) {
  RunMesh(2, 30.0, [](PeerLinks& links) {
    if (links.rank() == 1) {
      links.Close();
      return;
    }
    const auto [status, seconds] = ReceiveInVain(links, 1);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("rank 1 closed its connection"), std::string::npos)
        << status.message();
    EXPECT_LT(seconds, 5.0);
    // Broken for good: the next call fails without touching the network.
    const auto [again, again_seconds] = ReceiveInVain(links, 1);
    EXPECT_NE(again.message().find("peer links unusable"), std::string::npos) << again.message();
    EXPECT_LT(again_seconds, 0.1);
  });
}

TEST(PeerLinks, ASilentPeerTimesOutNamingIt) {
  RunMesh(2, 0.5, [](PeerLinks& links) {
    if (links.rank() == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return;
    }
    const auto [status, seconds] = ReceiveInVain(links, 1);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("timed out after 0.5 s waiting for rank 1"), std::string::npos)
        << status.message();
    EXPECT_LT(seconds, 1.4);
  });
}

TEST(PeerLinks, MismatchedCollectivesAreReportedNotMisread) {
  RunMesh(2, 10.0, [](PeerLinks& links) {
    std::vector<std::byte> buffer(links.rank() == 0 ? 8 : 16);
    const int peer = 1 - links.rank();
    std::vector<PeerLinks::Outgoing> sends = {{peer, buffer}};
    std::vector<PeerLinks::Incoming> receives = {{peer, buffer}};
    const Status status = links.Exchange(sends, receives);
    ASSERT_FALSE(status.ok());
    if (links.rank() == 0) {
      EXPECT_NE(status.message().find("rank 1 sent message 0 of 16 bytes where this rank "
                                      "expected message 0 of 8 bytes"),
                std::string::npos)
          << status.message();
    }
  });
}

TEST(PeerLinks, AStrayConnectionDoesNotJoinTheMesh) {
  MemoryStore store;
  int stray = -1;
  store.on_publish = [&](const std::string& key, const std::string& value) {
    if (key != "test/addr/0") return;
    // Connect to rank 0 before rank 1 does, claiming to be rank 1 with an answer of the right
    // length but no proof.
    const int port = std::stoi(value.substr(value.rfind(' ') + 1));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    stray = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(connect(stray, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    char answer[36] = {1};
    ASSERT_EQ(send(stray, answer, sizeof(answer), 0), 36);
  };
  RunMesh(
      2, 10.0,
      [](PeerLinks& links) {
        std::vector<std::byte> mine = Pattern(links.rank(), 0, 0, 100), theirs(100);
        const int peer = 1 - links.rank();
        std::vector<PeerLinks::Outgoing> sends = {{peer, mine}};
        std::vector<PeerLinks::Incoming> receives = {{peer, theirs}};
        const Status status = links.Exchange(sends, receives);
        ASSERT_TRUE(status.ok()) << status.message();
        EXPECT_EQ(theirs, Pattern(peer, 0, 0, 100));
      },
      &store);
  ASSERT_GE(stray, 0);
  char challenge[36];
  EXPECT_EQ(recv(stray, challenge, sizeof(challenge), MSG_WAITALL), 36);  // rank 0's challenge
  EXPECT_EQ(std::string(challenge, 4), "SMLL");
  char byte;
  EXPECT_EQ(recv(stray, &byte, 1, 0), 0);  // then rank 0 hung up on it
  close(stray);
}

TEST(PeerLinks, WithATokenOnlyItsHoldersJoin) {
  MemoryStore store;
  std::unique_ptr<PeerLinks> zero;
  std::string error;
  std::thread rank0([&] {
    try {
      zero = PeerLinks::Connect(0, 2, "127.0.0.1", store.Rendezvous(), "test/", 1.0, "token-a");
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  });
  // A rank with another token cannot join: rank 0 drops it and names rank 1 as missing.
  std::unique_ptr<PeerLinks> intruder;
  EXPECT_THROW(
      intruder = PeerLinks::Connect(1, 2, "127.0.0.1", store.Rendezvous(), "test/", 1.0, "token-b"),
      std::runtime_error);
  rank0.join();
  EXPECT_EQ(zero, nullptr);
  EXPECT_EQ(error, "rank 1 did not connect within 1 s");
  // The salt in the store is not the link key: it alone does not let anyone in either.
  EXPECT_NE(store.Rendezvous().lookup("test/salt"), "token-a");
}

TEST(PeerLinks, ARankThatNeverComesIsNamed) {
  MemoryStore store;
  Stopwatch waited;
  try {
    PeerLinks::Connect(0, 3, "127.0.0.1", store.Rendezvous(), "test/", 0.5);
    FAIL() << "formed a mesh without ranks 1 and 2";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "ranks 1, 2 did not connect within 0.5 s");
  }
  EXPECT_LT(waited.Seconds(), 2.0);
}

TEST(PeerLinks, AnswerPeerAcceptsOnlyAProofOfTheKeyFromAHigherRank) {
  const std::string key(32, 'k');
  std::array<std::uint8_t, 32> challenge{};
  challenge[0] = 7;
  // Build a valid answer through a real exchange is not possible here; check the refusals.
  std::vector<std::byte> answer(36, std::byte{0});
  const auto as_rank = [&](std::uint32_t r) {
    std::memcpy(answer.data(), &r, sizeof(r));
    return PeerLinks::AnswerPeer(answer, key, challenge, 0, 3);
  };
  EXPECT_EQ(as_rank(2), -1);            // a rank in the group, but no proof
  EXPECT_EQ(as_rank(0), -1);            // not higher
  EXPECT_EQ(as_rank(3), -1);            // not in the group
  EXPECT_EQ(as_rank(0xffffffffu), -1);  // garbage
  answer.pop_back();
  EXPECT_EQ(PeerLinks::AnswerPeer(answer, key, challenge, 0, 3), -1);  // cut short
}

}  // namespace
}  // namespace scaleml
