#include "comm/RendezvousServer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "comm/RendezvousProtocol.h"
#include "core/Error.h"
#include "core/Log.h"

namespace scaleml {
namespace {

using rendezvous::Op;
using rendezvous::ReplyHeader;
using rendezvous::ReplyStatus;
using rendezvous::RequestHeader;

constexpr std::size_t kMaxStoredBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxPendingReplyBytes = std::size_t{256} << 20;

enum class Phase { kHandshake, kReady, kWaiting };

struct Connection {
  net::Socket socket;
  Phase phase = Phase::kHandshake;
  net::Nonce server_nonce{};
  net::Clock::time_point handshake_deadline;
  std::optional<net::Clock::time_point> stall_deadline;  // set while a request is partial
  std::string in;
  std::string out;
  std::vector<std::string> waiting_for;  // a Get's key, while phase is kWaiting
  bool drop = false;
  bool peer_closed = false;  // an ordinary goodbye, not counted as dropped
};

void AppendReply(Connection& c, ReplyStatus status, std::string_view bytes) {
  const ReplyHeader header{static_cast<std::uint8_t>(status), bytes.size()};
  c.out.append(reinterpret_cast<const char*>(&header), sizeof(header));
  c.out.append(bytes);
}

template <class T>
std::string_view BytesOf(const T& value) {
  return {reinterpret_cast<const char*>(&value), sizeof(T)};
}

std::vector<std::string> SplitKeys(std::string_view joined) {
  std::vector<std::string> keys;
  std::size_t at = 0;
  while (at <= joined.size() && !joined.empty()) {
    const std::size_t end = std::min(joined.find('\0', at), joined.size());
    keys.emplace_back(joined.substr(at, end - at));
    at = end + 1;
  }
  return keys;
}

}  // namespace

struct RendezvousServer::State {
  std::map<std::string, std::string> values;
  std::size_t stored_bytes = 0;
  std::vector<Connection> connections;
};

Status RendezvousServer::Start(const RendezvousServerOptions& options,
                               std::unique_ptr<RendezvousServer>* out) {
  net::Listener listener;
  if (Status listening = net::Listen(options.address, options.port, 128, &listener);
      !listening.ok()) {
    return listening;
  }
  std::unique_ptr<RendezvousServer> server(new RendezvousServer(options, std::move(listener)));
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::Fail(StrCat("rendezvous: pipe: ", std::strerror(errno)));
  }
  server->wake_read_ = pipe_fds[0];
  server->wake_write_ = pipe_fds[1];
  server->thread_ = std::thread([raw = server.get()] { raw->Serve(); });
  *out = std::move(server);
  return Status::Ok();
}

RendezvousServer::RendezvousServer(RendezvousServerOptions options, net::Listener listener)
    : options_(std::move(options)), listener_(std::move(listener.socket)), port_(listener.port) {}

RendezvousServer::~RendezvousServer() {
  stopping_ = true;
  if (wake_write_ >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = write(wake_write_, &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
  if (wake_read_ >= 0) close(wake_read_);
  if (wake_write_ >= 0) close(wake_write_);
}

namespace {

class Dispatcher {
 public:
  Dispatcher(std::map<std::string, std::string>& values, std::size_t& stored)
      : values_(values), stored_(stored) {}

  // Executes one complete request; false when it must drop the connection.
  bool Execute(Connection& c, Op op, std::string key, std::string value) {
    switch (op) {
      case Op::kSet:
        return Set(c, std::move(key), std::move(value));
      case Op::kGet:
        if (auto it = values_.find(key); it != values_.end()) {
          AppendReply(c, ReplyStatus::kOk, it->second);
        } else {
          c.phase = Phase::kWaiting;
          c.waiting_for = {std::move(key)};
        }
        return true;
      case Op::kAdd:
        return Add(c, std::move(key), value);
      case Op::kCheck: {
        bool all = true;
        for (const auto& k : SplitKeys(value)) all = all && values_.count(k) > 0;
        const std::uint8_t answer = all ? 1 : 0;
        AppendReply(c, ReplyStatus::kOk, BytesOf(answer));
        return true;
      }
      case Op::kDelete: {
        auto it = values_.find(key);
        const std::uint8_t existed = it != values_.end() ? 1 : 0;
        if (it != values_.end()) {
          stored_ -= it->first.size() + it->second.size();
          values_.erase(it);
        }
        AppendReply(c, ReplyStatus::kOk, BytesOf(existed));
        return true;
      }
      case Op::kNumKeys: {
        const auto count = static_cast<std::int64_t>(values_.size());
        AppendReply(c, ReplyStatus::kOk, BytesOf(count));
        return true;
      }
    }
    return false;
  }

  // Answers the connections whose Get can now be served.
  void WakeWaiters(std::vector<Connection>& connections) {
    for (auto& c : connections) {
      if (c.phase != Phase::kWaiting) continue;
      auto it = values_.find(c.waiting_for.front());
      if (it == values_.end()) continue;
      AppendReply(c, ReplyStatus::kOk, it->second);
      c.phase = Phase::kReady;
      c.waiting_for.clear();
    }
  }

 private:
  bool Store(std::string key, std::string value) {
    auto it = values_.find(key);
    const std::size_t old = it == values_.end() ? 0 : it->first.size() + it->second.size();
    const std::size_t added = key.size() + value.size();
    if (stored_ - old + added > kMaxStoredBytes) return false;
    stored_ = stored_ - old + added;
    values_[std::move(key)] = std::move(value);
    return true;
  }
  bool Set(Connection& c, std::string key, std::string value) {
    if (!Store(std::move(key), std::move(value))) {
      AppendReply(c, ReplyStatus::kBadRequest, "the store is full");
      return true;
    }
    AppendReply(c, ReplyStatus::kOk, "");
    return true;
  }
  bool Add(Connection& c, std::string key, const std::string& value) {
    std::int64_t delta = 0;
    std::memcpy(&delta, value.data(), sizeof(delta));
    std::int64_t current = 0;
    if (auto it = values_.find(key); it != values_.end()) {
      const char* begin = it->second.data();
      const char* end = begin + it->second.size();
      if (std::from_chars(begin, end, current).ptr != end) {
        AppendReply(c, ReplyStatus::kBadRequest, "add on a value that is not a number");
        return true;
      }
    }
    current += delta;
    if (!Store(std::move(key), std::to_string(current))) {
      AppendReply(c, ReplyStatus::kBadRequest, "the store is full");
      return true;
    }
    AppendReply(c, ReplyStatus::kOk, BytesOf(current));
    return true;
  }

  std::map<std::string, std::string>& values_;
  std::size_t& stored_;
};

// The client's hello: the protocol and the proof of the token. False: drop.
bool CheckClientHello(Connection& c, const std::string& token) {
  const char* hello = c.in.data();
  if (std::memcmp(hello, rendezvous::kClientMagic, 4) != 0 ||
      static_cast<std::uint8_t>(hello[4]) != rendezvous::kVersion) {
    return false;
  }
  net::Nonce client_nonce;
  net::Digest proof;
  std::memcpy(client_nonce.data(), hello + 5, client_nonce.size());
  std::memcpy(proof.data(), hello + 5 + 32, proof.size());
  const net::Digest expected =
      net::HmacSha256(token, rendezvous::ProofMessage("client", c.server_nonce, client_nonce));
  if (!net::DigestsEqual(proof, expected)) return false;
  const net::Digest answer =
      net::HmacSha256(token, rendezvous::ProofMessage("server", client_nonce, c.server_nonce));
  c.out.append(reinterpret_cast<const char*>(answer.data()), answer.size());
  c.in.erase(0, rendezvous::kClientHelloBytes);
  c.phase = Phase::kReady;
  return true;
}

// Consumes every complete request in c.in. False: drop the connection.
bool ProcessInput(Connection& c, const RendezvousServerOptions& options, Dispatcher& dispatcher,
                  bool& changed) {
  if (c.phase == Phase::kHandshake) {
    if (c.in.size() < rendezvous::kClientHelloBytes) return true;
    if (!CheckClientHello(c, options.token)) return false;
  }
  while (c.phase == Phase::kReady && c.in.size() >= sizeof(RequestHeader)) {
    RequestHeader header;
    std::memcpy(&header, c.in.data(), sizeof(header));
    if (!rendezvous::CheckRequestHeader(header).ok()) return false;
    const std::size_t total = sizeof(header) + header.key_bytes + header.value_bytes;
    if (c.in.size() < total) break;
    std::string key = c.in.substr(sizeof(header), header.key_bytes);
    std::string value = c.in.substr(sizeof(header) + header.key_bytes, header.value_bytes);
    c.in.erase(0, total);
    const Op op = static_cast<Op>(header.op);
    if (!dispatcher.Execute(c, op, std::move(key), std::move(value))) return false;
    changed = changed || op == Op::kSet || op == Op::kAdd;
  }
  // A partial request must be finished before the stall deadline.
  if (c.in.empty() || c.phase == Phase::kHandshake) {
    c.stall_deadline.reset();
  } else if (!c.stall_deadline) {
    c.stall_deadline = net::DeadlineIn(options.stall_s);
  }
  return true;
}

// Reads what has arrived; false when the peer closed or erred.
bool ReadAvailable(Connection& c) {
  char buffer[65536];
  while (true) {
    const ssize_t n = recv(c.socket.fd(), buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      c.in.append(buffer, static_cast<std::size_t>(n));
      if (c.in.size() > sizeof(RequestHeader) + rendezvous::kMaxKeyBytes +
                            rendezvous::kMaxValueBytes + rendezvous::kClientHelloBytes) {
        return false;
      }
      continue;
    }
    if (n == 0) {
      c.peer_closed = c.in.empty() && c.phase != Phase::kHandshake;
      return false;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
}

bool WritePending(Connection& c) {
  while (!c.out.empty()) {
    const ssize_t n = send(c.socket.fd(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
  return true;
}

}  // namespace

void RendezvousServer::Serve() {
  State state;
  Dispatcher dispatcher(state.values, state.stored_bytes);
  std::vector<pollfd> fds;
  while (!stopping_) {
    fds.assign({{wake_read_, POLLIN, 0}, {listener_.fd(), POLLIN, 0}});
    for (const auto& c : state.connections) {
      fds.push_back({c.socket.fd(), static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
    }
    if (poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) break;
    if (stopping_) break;
    const std::size_t existing = state.connections.size();
    if (fds[1].revents & POLLIN) {
      for (net::Socket s = net::AcceptPending(listener_); s.valid();
           s = net::AcceptPending(listener_)) {
        if (static_cast<int>(state.connections.size()) >= options_.max_connections) {
          ++dropped_;  // closed at once: full
          continue;
        }
        Connection c;
        c.socket = std::move(s);
        c.server_nonce = net::RandomNonce();
        c.handshake_deadline = net::DeadlineIn(options_.handshake_s);
        c.out.append(rendezvous::kServerMagic, 4);
        c.out.push_back(static_cast<char>(rendezvous::kVersion));
        c.out.append(reinterpret_cast<const char*>(c.server_nonce.data()), c.server_nonce.size());
        state.connections.push_back(std::move(c));
      }
    }
    bool changed = false;
    const auto now = net::Clock::now();
    for (std::size_t i = 0; i < existing; ++i) {
      Connection& c = state.connections[i];
      const short events = fds[i + 2].revents;
      if ((events & (POLLIN | POLLHUP | POLLERR)) && !ReadAvailable(c)) c.drop = true;
      if (!c.drop && !ProcessInput(c, options_, dispatcher, changed)) c.drop = true;
      if (c.phase == Phase::kHandshake && now > c.handshake_deadline) c.drop = true;
      if (c.stall_deadline && now > *c.stall_deadline) c.drop = true;
      if (c.out.size() > kMaxPendingReplyBytes) c.drop = true;
    }
    if (changed) dispatcher.WakeWaiters(state.connections);
    for (auto& c : state.connections) {
      if (!c.drop && !WritePending(c)) c.drop = true;
    }
    for (const auto& c : state.connections) {
      if (c.drop && !c.peer_closed) ++dropped_;
    }
    std::erase_if(state.connections, [](const Connection& c) { return c.drop; });
  }
}

}  // namespace scaleml
