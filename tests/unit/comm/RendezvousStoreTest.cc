// The ddp group's rendezvous store against the attacks a review found on torchrun's: a stranger
// reading keys, a half-sent request hanging the group, idle sockets locking ranks out, a store
// reachable on every interface.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "comm/RendezvousClient.h"
#include "comm/RendezvousProtocol.h"
#include "comm/RendezvousServer.h"
#include "net/Hmac.h"
#include "net/Socket.h"

namespace scaleml {
namespace {

constexpr const char* kToken = "a-token-of-the-group";

std::unique_ptr<RendezvousServer> StartServer(RendezvousServerOptions options = {}) {
  if (options.address.empty()) options.address = "127.0.0.1";
  if (options.token.empty()) options.token = kToken;
  std::unique_ptr<RendezvousServer> server;
  Status started = RendezvousServer::Start(options, &server);
  EXPECT_TRUE(started.ok()) << started.message();
  return server;
}

std::unique_ptr<RendezvousClient> Client(int port, const std::string& token = kToken,
                                         double timeout_s = 5) {
  std::unique_ptr<RendezvousClient> client;
  Status connected = RendezvousClient::Connect("127.0.0.1", port, token, timeout_s, &client);
  EXPECT_TRUE(connected.ok()) << connected.message();
  return client;
}

// A raw connection that completes the handshake by hand, so the test controls every byte after.
net::Socket AuthenticatedRaw(int port) {
  net::Socket raw;
  EXPECT_TRUE(net::ConnectBefore("127.0.0.1", port, net::DeadlineIn(2), &raw).ok());
  char hello[rendezvous::kServerHelloBytes];
  EXPECT_TRUE(net::RecvAll(raw.fd(), hello, sizeof(hello), net::DeadlineIn(2)).ok());
  net::Nonce server_nonce, client_nonce{};
  std::memcpy(server_nonce.data(), hello + 5, 32);
  std::string reply(rendezvous::kClientMagic, 4);
  reply.push_back(static_cast<char>(rendezvous::kVersion));
  reply.append(reinterpret_cast<const char*>(client_nonce.data()), 32);
  const net::Digest proof =
      net::HmacSha256(kToken, rendezvous::ProofMessage("client", server_nonce, client_nonce));
  reply.append(reinterpret_cast<const char*>(proof.data()), 32);
  EXPECT_TRUE(net::SendAll(raw.fd(), reply.data(), reply.size(), net::DeadlineIn(2)).ok());
  net::Digest answer;
  EXPECT_TRUE(net::RecvAll(raw.fd(), answer.data(), 32, net::DeadlineIn(2)).ok());
  return raw;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RendezvousStoreTest, EveryOperation) {
  auto server = StartServer();
  auto client = Client(server->port());
  ASSERT_TRUE(client->Set("a", std::string("x\0y", 3)).ok());
  std::string value;
  ASSERT_TRUE(client->Get("a", &value).ok());
  EXPECT_EQ(value, std::string("x\0y", 3));
  std::int64_t sum = 0;
  ASSERT_TRUE(client->Add("n", 5, &sum).ok());
  ASSERT_TRUE(client->Add("n", -2, &sum).ok());
  EXPECT_EQ(sum, 3);
  bool all = false;
  ASSERT_TRUE(client->Check({"a", "n"}, &all).ok());
  EXPECT_TRUE(all);
  ASSERT_TRUE(client->Check({"a", "missing"}, &all).ok());
  EXPECT_FALSE(all);
  std::int64_t keys = 0;
  ASSERT_TRUE(client->NumKeys(&keys).ok());
  EXPECT_EQ(keys, 2);
  bool existed = false;
  ASSERT_TRUE(client->Delete("a", &existed).ok());
  EXPECT_TRUE(existed);
  ASSERT_TRUE(client->Delete("a", &existed).ok());
  EXPECT_FALSE(existed);
}

TEST(RendezvousStoreTest, GetWaitsForAnotherRanksSet) {
  auto server = StartServer();
  auto waiter = Client(server->port());
  std::thread setter([port = server->port()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto client = Client(port);
    EXPECT_TRUE(client->Set("rank1/address", "10.0.0.2:4000").ok());
  });
  std::string value;
  Status got = waiter->Get("rank1/address", &value);
  setter.join();
  ASSERT_TRUE(got.ok()) << got.message();
  EXPECT_EQ(value, "10.0.0.2:4000");
}

TEST(RendezvousStoreTest, AWrongOrMissingTokenReadsNothing) {
  auto server = StartServer();
  auto honest = Client(server->port());
  ASSERT_TRUE(honest->Set("scaleml/links/key", "secret").ok());
  std::unique_ptr<RendezvousClient> stranger;
  Status s = RendezvousClient::Connect("127.0.0.1", server->port(), "guess", 2, &stranger);
  EXPECT_EQ(s.code(), StatusCode::kDenied) << s.message();
  s = RendezvousClient::Connect("127.0.0.1", server->port(), "", 2, &stranger);
  EXPECT_EQ(s.code(), StatusCode::kDenied) << s.message();
  EXPECT_EQ(stranger, nullptr);
}

TEST(RendezvousStoreTest, AClientRefusesAServerWithoutTheToken) {
  RendezvousServerOptions options;
  options.token = "the-servers-own";
  auto server = StartServer(options);
  std::unique_ptr<RendezvousClient> client;
  Status s = RendezvousClient::Connect("127.0.0.1", server->port(), kToken, 2, &client);
  EXPECT_EQ(s.code(), StatusCode::kDenied);
}

TEST(RendezvousStoreTest, AHalfSentRequestIsDroppedAndNeverHoldsUpOthers) {
  RendezvousServerOptions options;
  options.stall_s = 0.5;
  auto server = StartServer(options);
  auto honest = Client(server->port());
  // A client that authenticates, sends 19 bytes of a SET and holds the connection open.
  net::Socket raw = AuthenticatedRaw(server->port());
  rendezvous::RequestHeader header{static_cast<std::uint8_t>(rendezvous::Op::kSet), 4, 1000};
  std::string partial(reinterpret_cast<const char*>(&header), sizeof(header));
  partial += "key!123456";
  ASSERT_EQ(partial.size(), 23u);
  ASSERT_TRUE(net::SendAll(raw.fd(), partial.data(), 19, net::DeadlineIn(1)).ok());
  const auto start = std::chrono::steady_clock::now();
  // Meanwhile the honest rank is served at once.
  ASSERT_TRUE(honest->Set("k", "v").ok());
  std::string value;
  ASSERT_TRUE(honest->Get("k", &value).ok());
  EXPECT_LT(SecondsSince(start), 0.3);
  // The staller is dropped once the stall deadline passes.
  for (int i = 0; i < 30 && server->dropped() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(server->dropped(), 1);
  EXPECT_LT(SecondsSince(start), 2.0);
}

TEST(RendezvousStoreTest, IdleStrangersCannotLockRanksOut) {
  RendezvousServerOptions options;
  options.handshake_s = 0.5;
  options.max_connections = 16;
  auto server = StartServer(options);
  std::vector<net::Socket> idle(70);
  for (auto& s : idle) {
    ASSERT_TRUE(net::ConnectBefore("127.0.0.1", server->port(), net::DeadlineIn(2), &s).ok());
  }
  const auto start = std::chrono::steady_clock::now();
  auto honest = Client(server->port(), kToken, 10);
  ASSERT_NE(honest, nullptr);
  EXPECT_TRUE(honest->Set("k", "v").ok());
  EXPECT_LT(SecondsSince(start), 3.0);
}

TEST(RendezvousStoreTest, ListensOnlyOnTheMasterAddress) {
  auto server = StartServer();  // on 127.0.0.1
  net::Socket other;
  Status s = net::ConnectBefore("127.0.0.2", server->port(), net::DeadlineIn(1), &other);
  EXPECT_EQ(s.code(), StatusCode::kRefused) << s.message();
}

TEST(RendezvousStoreTest, GarbageIsDroppedAndTheStoreGoesOn) {
  auto server = StartServer();
  auto honest = Client(server->port());
  net::Socket raw;
  ASSERT_TRUE(net::ConnectBefore("127.0.0.1", server->port(), net::DeadlineIn(2), &raw).ok());
  const std::string garbage(200, '\xff');
  ASSERT_TRUE(net::SendAll(raw.fd(), garbage.data(), garbage.size(), net::DeadlineIn(1)).ok());
  for (int i = 0; i < 30 && server->dropped() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(server->dropped(), 1);
  EXPECT_TRUE(honest->Set("still", "here").ok());
}

TEST(RendezvousStoreTest, AGetThatNeverComesTimesOutWithItsCode) {
  auto server = StartServer();
  auto client = Client(server->port(), kToken, 0.3);
  std::string value;
  Status s = client->Get("never", &value);
  EXPECT_EQ(s.code(), StatusCode::kTimeout) << s.message();
}

}  // namespace
}  // namespace scaleml
