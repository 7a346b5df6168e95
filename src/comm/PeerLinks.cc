#include "comm/PeerLinks.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <stdexcept>

#include "core/Error.h"
#include "net/Hmac.h"
#include "net/Socket.h"

namespace scaleml {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kChallengeMagic[4] = {'S', 'M', 'L', 'L'};
constexpr std::size_t kChallengeBytes = sizeof(kChallengeMagic) + 32;
constexpr std::size_t kAnswerBytes = sizeof(std::uint32_t) + 32;
constexpr std::size_t kSaltChars = 32;

// A message header: the link's message number and the payload's length.
struct Header {
  std::uint64_t sequence;
  std::uint64_t bytes;
};

int RemainingMs(Clock::time_point deadline) { return net::RemainingMs(deadline); }

std::string ErrnoText(int error) { return std::strerror(error); }

std::string RandomSalt() {
  static constexpr char kHex[] = "0123456789abcdef";
  const net::Nonce bytes = net::RandomNonce();
  std::string salt;
  for (std::size_t i = 0; i < kSaltChars / 2; ++i) {
    salt.push_back(kHex[bytes[i] >> 4]);
    salt.push_back(kHex[bytes[i] & 15]);
  }
  return salt;
}

// What proves a connecting rank belongs to the group: the HMAC, under the link key, of the
// acceptor's fresh challenge and both ranks. Nothing on the wire lets a listener replay it.
net::Digest LinkProof(const std::string& link_key, const net::Nonce& challenge, int from, int to,
                      const char* role = "link") {
  std::string message = role;
  message.append(reinterpret_cast<const char*>(challenge.data()), challenge.size());
  message += StrCat("/", from, "/", to);
  return net::HmacSha256(link_key, message);
}

// Rank `rank` answers the challenge of the lower rank `peer` it connected to.
void AnswerChallenge(const net::Socket& socket, const std::string& link_key, int rank, int peer,
                     Clock::time_point deadline) {
  std::array<char, kChallengeBytes> challenge{};
  Status s = net::RecvAll(socket.fd(), challenge.data(), challenge.size(), deadline);
  if (!s.ok() || std::memcmp(challenge.data(), kChallengeMagic, 4) != 0) {
    throw std::runtime_error(StrCat("rank ", peer, " did not greet this rank"));
  }
  net::Nonce nonce;
  std::memcpy(nonce.data(), challenge.data() + 4, nonce.size());
  const net::Digest proof = LinkProof(link_key, nonce, rank, peer);
  std::array<char, kAnswerBytes> answer{};
  const auto r = static_cast<std::uint32_t>(rank);
  std::memcpy(answer.data(), &r, sizeof(r));
  std::memcpy(answer.data() + sizeof(r), proof.data(), proof.size());
  if (!net::SendAll(socket.fd(), answer.data(), answer.size(), deadline).ok()) {
    throw std::runtime_error(StrCat("rank ", peer, " did not take this rank's answer"));
  }
  // The acceptor proves the key too, so neither side trusts a peer that only listens.
  net::Digest accepted;
  if (!net::RecvAll(socket.fd(), accepted.data(), accepted.size(), deadline).ok() ||
      !net::DigestsEqual(accepted, LinkProof(link_key, nonce, rank, peer, "accept"))) {
    throw std::runtime_error(StrCat("rank ", peer,
                                    " refused this rank's link (do all ranks hold the same "
                                    "SCALEML_TOKEN?)"));
  }
}

// The higher rank a fresh connection proves to be, or -1 (a stray, a wrong key, a rank already
// linked): it gets a short look, so that it cannot hold up the mesh.
int AcceptedPeer(const net::Socket& socket, const std::string& link_key, int rank, int size,
                 Clock::time_point deadline) {
  const net::Nonce nonce = net::RandomNonce();
  std::array<char, kChallengeBytes> challenge{};
  std::memcpy(challenge.data(), kChallengeMagic, 4);
  std::memcpy(challenge.data() + 4, nonce.data(), nonce.size());
  const auto look = std::min(deadline, Clock::now() + std::chrono::seconds(2));
  std::array<char, kAnswerBytes> answer{};
  if (!net::SendAll(socket.fd(), challenge.data(), challenge.size(), look).ok() ||
      !net::RecvAll(socket.fd(), answer.data(), answer.size(), look).ok()) {
    return -1;
  }
  const int from =
      PeerLinks::AnswerPeer(std::as_bytes(std::span(answer)), link_key, nonce, rank, size);
  if (from < 0) return -1;
  const net::Digest accepted = LinkProof(link_key, nonce, from, rank, "accept");
  return net::SendAll(socket.fd(), accepted.data(), accepted.size(), look).ok() ? from : -1;
}

// Progress of one message on a non-blocking socket: its header, then its payload.
struct Transfer {
  int peer;
  Header header;
  std::byte* payload;  // a receive's destination, or a send's source
  std::size_t expected;
  std::size_t done = 0;  // bytes of header + payload moved
  std::size_t total() const { return sizeof(Header) + expected; }
  bool finished() const { return done == total(); }
  // The part still to move, as up to two pieces.
  int Pieces(iovec* pieces) {
    int count = 0;
    if (done < sizeof(Header)) {
      pieces[count++] = {reinterpret_cast<std::byte*>(&header) + done, sizeof(Header) - done};
      if (expected > 0) pieces[count++] = {payload, expected};
    } else {
      const std::size_t at = done - sizeof(Header);
      pieces[count++] = {payload + at, expected - at};
    }
    return count;
  }
  // One sendmsg or recvmsg of what is left, without blocking.
  ssize_t MoveSome(int fd, bool sending) {
    iovec pieces[2];
    msghdr message{};
    message.msg_iov = pieces;
    message.msg_iovlen = static_cast<std::size_t>(Pieces(pieces));
    return sending ? sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT)
                   : recvmsg(fd, &message, MSG_DONTWAIT);
  }
};

}  // namespace

PeerLinks::PeerLinks(int rank, double timeout_s, std::vector<Link> links)
    : rank_(rank), timeout_s_(timeout_s), links_(std::move(links)) {}

PeerLinks::~PeerLinks() { Close(); }

void PeerLinks::Close() {
  for (Link& link : links_) {
    if (link.fd >= 0) close(link.fd);
    link.fd = -1;
  }
  if (broken_.empty()) broken_ = "the links were closed";
}

std::unique_ptr<PeerLinks> PeerLinks::Connect(int rank, int size, const std::string& local_addr,
                                              const Rendezvous& rendezvous,
                                              const std::string& prefix, double timeout_s,
                                              const std::string& token) {
  const Clock::time_point deadline = net::DeadlineIn(timeout_s);
  // The result owns the connections from the start: if the mesh does not form, its destructor
  // closes those already open.
  auto result = std::unique_ptr<PeerLinks>(
      new PeerLinks(rank, timeout_s, std::vector<Link>(static_cast<std::size_t>(size))));
  if (size == 1) return result;
  std::vector<Link>& links = result->links_;

  net::Listener listener;
  if (Status s = net::Listen(local_addr, 0, size + 8, &listener); !s.ok()) {
    throw std::runtime_error(s.message());
  }
  rendezvous.publish(StrCat(prefix, "addr/", rank), StrCat(local_addr, " ", listener.port));
  std::string salt;
  if (rank == 0) {
    salt = RandomSalt();
    rendezvous.publish(StrCat(prefix, "salt"), salt);
  } else {
    salt = rendezvous.lookup(StrCat(prefix, "salt"));
    if (salt.size() != kSaltChars)
      throw std::runtime_error("the group salt in the store is malformed");
  }
  // With a token the link key is never published; without one the salt is the key (anyone who
  // can read the store can join, as with torchrun).
  const std::string link_key = token.empty() ? salt : [&] {
    const net::Digest digest = net::HmacSha256(token, "scaleml-links/" + salt);
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
  }();

  for (int peer = 0; peer < rank; ++peer) {
    const std::string where = rendezvous.lookup(StrCat(prefix, "addr/", peer));
    const std::size_t space = where.rfind(' ');
    const int port = space == std::string::npos ? 0 : std::atoi(where.c_str() + space + 1);
    if (port <= 0 || port > 65535) {
      throw std::runtime_error(StrCat("rank ", peer, "'s link address '", where, "' is malformed"));
    }
    net::Socket socket;
    if (Status s = net::ConnectBefore(where.substr(0, space), port, deadline, &socket); !s.ok()) {
      throw std::runtime_error(
          StrCat("cannot connect to rank ", peer, " at ", where, ": ",
                 s.code() == StatusCode::kTimeout ? "timed out" : s.message()));
    }
    AnswerChallenge(socket, link_key, rank, peer, deadline);
    links[peer].fd = socket.Release();
  }

  int missing = size - 1 - rank;
  while (missing > 0) {
    pollfd wait{listener.socket.fd(), POLLIN, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) <= 0) {
      std::string ranks;
      for (int peer = rank + 1; peer < size; ++peer) {
        if (links[peer].fd < 0) ranks += StrCat(ranks.empty() ? "" : ", ", peer);
      }
      throw std::runtime_error(StrCat("rank", missing == 1 ? " " : "s ", ranks,
                                      " did not connect within ", timeout_s, " s"));
    }
    net::Socket socket = net::AcceptPending(listener.socket);
    if (!socket.valid()) continue;
    const int peer = AcceptedPeer(socket, link_key, rank, size, deadline);
    if (peer < 0 || links[peer].fd >= 0) continue;  // not a rank of this group, or one linked
    links[peer].fd = socket.Release();
    --missing;
  }
  return result;
}

int PeerLinks::AnswerPeer(std::span<const std::byte> answer, const std::string& link_key,
                          std::span<const std::uint8_t, 32> challenge, int rank, int size) {
  if (answer.size() != kAnswerBytes) return -1;
  std::uint32_t peer = 0;
  std::memcpy(&peer, answer.data(), sizeof(peer));
  if (peer <= static_cast<std::uint32_t>(rank) || peer >= static_cast<std::uint32_t>(size)) {
    return -1;
  }
  net::Nonce nonce;
  std::memcpy(nonce.data(), challenge.data(), nonce.size());
  net::Digest proof;
  std::memcpy(proof.data(), answer.data() + sizeof(peer), proof.size());
  const int from = static_cast<int>(peer);
  return net::DigestsEqual(proof, LinkProof(link_key, nonce, from, rank)) ? from : -1;
}

Status PeerLinks::Fail(std::string message) {
  broken_ = message;
  return Status::Fail(std::move(message));
}

Status PeerLinks::Exchange(std::span<const Outgoing> sends, std::span<const Incoming> receives) {
  if (!broken_.empty()) return Status::Fail(StrCat("peer links unusable: ", broken_));
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s_ * 1000));
  std::vector<Transfer> out, in;
  out.reserve(sends.size());
  in.reserve(receives.size());
  for (const Outgoing& send : sends) {
    Link& link = links_.at(static_cast<std::size_t>(send.peer));
    // Gloo-style: the buffer is only read; the pointer is not const to share Transfer.
    out.push_back({send.peer,
                   {link.sent, send.bytes.size()},
                   const_cast<std::byte*>(send.bytes.data()),
                   send.bytes.size()});
  }
  for (const Incoming& receive : receives) {
    in.push_back({receive.peer, {}, receive.bytes.data(), receive.bytes.size()});
  }

  std::size_t open = out.size() + in.size();
  std::vector<pollfd> waits;
  while (true) {
    for (Transfer& t : out) {
      while (!t.finished()) {
        const ssize_t n = t.MoveSome(links_[t.peer].fd, /*sending=*/true);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (n < 0) {
          return Fail(StrCat("sending to rank ", t.peer, " failed (", ErrnoText(errno), ")"));
        }
        t.done += static_cast<std::size_t>(n);
        if (t.finished()) {
          ++links_[t.peer].sent;
          --open;
        }
      }
    }
    for (Transfer& t : in) {
      while (!t.finished()) {
        const ssize_t n = t.MoveSome(links_[t.peer].fd, /*sending=*/false);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (n == 0) return Fail(StrCat("rank ", t.peer, " closed its connection"));
        if (n < 0) {
          return Fail(StrCat("receiving from rank ", t.peer, " failed (", ErrnoText(errno), ")"));
        }
        const bool had_header = t.done >= sizeof(Header);
        t.done += static_cast<std::size_t>(n);
        if (!had_header && t.done >= sizeof(Header)) {
          const Link& link = links_[t.peer];
          if (t.header.sequence != link.received || t.header.bytes != t.expected) {
            return Fail(StrCat("rank ", t.peer, " sent message ", t.header.sequence, " of ",
                               t.header.bytes, " bytes where this rank expected message ",
                               link.received, " of ", t.expected,
                               " bytes: the ranks called different collectives"));
          }
        }
        if (t.finished()) {
          ++links_[t.peer].received;
          --open;
        }
      }
    }
    if (open == 0) return Status::Ok();

    waits.clear();
    for (const Transfer& t : out) {
      if (!t.finished()) waits.push_back({links_[t.peer].fd, POLLOUT, 0});
    }
    for (const Transfer& t : in) {
      if (!t.finished()) waits.push_back({links_[t.peer].fd, POLLIN, 0});
    }
    const int ready = poll(waits.data(), waits.size(), RemainingMs(deadline));
    if (ready < 0 && errno != EINTR) return Fail(StrCat("poll failed: ", ErrnoText(errno)));
    if (ready == 0 && Clock::now() >= deadline) {
      std::vector<int> waiting;
      for (const auto* list : {&out, &in}) {
        for (const Transfer& t : *list) {
          if (!t.finished()) waiting.push_back(t.peer);
        }
      }
      std::sort(waiting.begin(), waiting.end());
      waiting.erase(std::unique(waiting.begin(), waiting.end()), waiting.end());
      std::string ranks;
      for (int peer : waiting) ranks += StrCat(ranks.empty() ? "" : ", ", peer);
      return Fail(StrCat("timed out after ", timeout_s_, " s waiting for rank",
                         waiting.size() == 1 ? " " : "s ", ranks));
    }
  }
}

}  // namespace scaleml
