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

namespace scaleml {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kHelloMagic[4] = {'S', 'M', 'L', 'K'};
constexpr std::size_t kKeyChars = 32;
constexpr std::size_t kHelloBytes = sizeof(kHelloMagic) + kKeyChars + sizeof(std::uint32_t);

// A message header: the link's message number and the payload's length.
struct Header {
  std::uint64_t sequence;
  std::uint64_t bytes;
};

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1'000'000));
}

std::string ErrnoText(int error) { return std::strerror(error); }

void SetSocketOptions(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Writes or reads all of `bytes` on a non-blocking socket before `deadline`; false on a timeout,
// an error or the peer closing.
bool SendAllBefore(int fd, const std::byte* data, std::size_t bytes, Clock::time_point deadline) {
  while (bytes > 0) {
    const ssize_t n = send(fd, data, bytes, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      bytes -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    pollfd wait{fd, POLLOUT, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) <= 0) return false;
  }
  return true;
}

bool RecvAllBefore(int fd, std::byte* data, std::size_t bytes, Clock::time_point deadline) {
  while (bytes > 0) {
    const ssize_t n = recv(fd, data, bytes, 0);
    if (n > 0) {
      data += n;
      bytes -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) return false;
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) <= 0) return false;
  }
  return true;
}

addrinfo* Resolve(const std::string& host, const std::string& port, int flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    throw std::runtime_error(StrCat("cannot resolve '", host, "': ", gai_strerror(rc)));
  }
  return found;
}

// A listening socket on an ephemeral port of `address`; returns the fd and the port.
std::pair<int, int> Listen(const std::string& address, int backlog) {
  addrinfo* found = Resolve(address, "0", AI_PASSIVE | AI_NUMERICSERV);
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
      error = ErrnoText(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error(StrCat("cannot listen on ", address, ": ", error));
  sockaddr_storage self{};
  socklen_t length = sizeof(self);
  getsockname(fd, reinterpret_cast<sockaddr*>(&self), &length);
  const int port = self.ss_family == AF_INET6
                       ? ntohs(reinterpret_cast<sockaddr_in6*>(&self)->sin6_port)
                       : ntohs(reinterpret_cast<sockaddr_in*>(&self)->sin_port);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return {fd, port};
}

// Connects to "host port" before the deadline; -1 on failure, with the reason in `error`.
int ConnectBefore(const std::string& host, const std::string& port, Clock::time_point deadline,
                  std::string* error) {
  addrinfo* found = Resolve(host, port, AI_NUMERICSERV);
  int connected = -1;
  for (addrinfo* ai = found; ai != nullptr && connected < 0; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd wait{fd, POLLOUT, 0};
      rc = -1;
      errno = ETIMEDOUT;
      if (poll(&wait, 1, RemainingMs(deadline)) == 1) {
        int failure = 0;
        socklen_t length = sizeof(failure);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length);
        rc = failure == 0 ? 0 : -1;
        errno = failure;
      }
    }
    if (rc == 0) {
      connected = fd;
    } else {
      *error = ErrnoText(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  return connected;
}

std::string RandomGroupKey() {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  while (key.size() < kKeyChars) {
    std::uint32_t bits = device();
    for (int i = 0; i < 8; ++i, bits >>= 4) key.push_back(kHex[bits & 15]);
  }
  return key;
}

std::array<std::byte, kHelloBytes> Hello(const std::string& key, int rank) {
  std::array<std::byte, kHelloBytes> hello{};
  std::memcpy(hello.data(), kHelloMagic, sizeof(kHelloMagic));
  std::memcpy(hello.data() + sizeof(kHelloMagic), key.data(), kKeyChars);
  const auto r = static_cast<std::uint32_t>(rank);
  std::memcpy(hello.data() + sizeof(kHelloMagic) + kKeyChars, &r, sizeof(r));
  return hello;
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
                                              const std::string& prefix, double timeout_s) {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000));
  // The result owns the connections from the start: if the mesh does not form, its destructor
  // closes those already open.
  auto result = std::unique_ptr<PeerLinks>(
      new PeerLinks(rank, timeout_s, std::vector<Link>(static_cast<std::size_t>(size))));
  if (size == 1) return result;
  std::vector<Link>& links = result->links_;

  const auto [listener, port] = Listen(local_addr, size + 8);
  struct CloseOnExit {
    int fd;
    ~CloseOnExit() { close(fd); }
  } close_listener{listener};
  rendezvous.publish(StrCat(prefix, "addr/", rank), StrCat(local_addr, " ", port));
  std::string key;
  if (rank == 0) {
    key = RandomGroupKey();
    rendezvous.publish(StrCat(prefix, "key"), key);
  } else {
    key = rendezvous.lookup(StrCat(prefix, "key"));
    if (key.size() != kKeyChars)
      throw std::runtime_error("the group key in the store is malformed");
  }

  for (int peer = 0; peer < rank; ++peer) {
    const std::string where = rendezvous.lookup(StrCat(prefix, "addr/", peer));
    const std::size_t space = where.rfind(' ');
    if (space == std::string::npos) {
      throw std::runtime_error(StrCat("rank ", peer, "'s link address '", where, "' is malformed"));
    }
    std::string error = "timed out";
    const int fd = ConnectBefore(where.substr(0, space), where.substr(space + 1), deadline, &error);
    if (fd < 0) {
      throw std::runtime_error(StrCat("cannot connect to rank ", peer, " at ", where, ": ", error));
    }
    links[peer].fd = fd;
    SetSocketOptions(fd);
    const auto hello = Hello(key, rank);
    if (!SendAllBefore(fd, hello.data(), hello.size(), deadline)) {
      throw std::runtime_error(StrCat("rank ", peer, " did not take this rank's greeting"));
    }
  }

  int missing = size - 1 - rank;
  while (missing > 0) {
    pollfd wait{listener, POLLIN, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) <= 0) {
      std::string ranks;
      for (int peer = rank + 1; peer < size; ++peer) {
        if (links[peer].fd < 0) ranks += StrCat(ranks.empty() ? "" : ", ", peer);
      }
      throw std::runtime_error(StrCat("rank", missing == 1 ? " " : "s ", ranks,
                                      " did not connect within ", timeout_s, " s"));
    }
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    // A stray connection gets a short look, so that it cannot hold up the mesh.
    const auto hello_deadline = std::min(deadline, Clock::now() + std::chrono::seconds(2));
    std::array<std::byte, kHelloBytes> hello{};
    const bool read = RecvAllBefore(fd, hello.data(), hello.size(), hello_deadline);
    const int peer = read ? HelloPeer(hello, key, rank, size) : -1;
    if (peer < 0 || links[peer].fd >= 0) {
      close(fd);  // not a rank of this group, or one already linked
      continue;
    }
    links[peer].fd = fd;
    SetSocketOptions(fd);
    --missing;
  }
  return result;
}

int PeerLinks::HelloPeer(std::span<const std::byte> hello, const std::string& key, int rank,
                         int size) {
  if (hello.size() != kHelloBytes || key.size() != kKeyChars) return -1;
  std::uint32_t peer = 0;
  std::memcpy(&peer, hello.data() + sizeof(kHelloMagic) + kKeyChars, sizeof(peer));
  if (peer <= static_cast<std::uint32_t>(rank) || peer >= static_cast<std::uint32_t>(size)) {
    return -1;
  }
  const auto expected = Hello(key, static_cast<int>(peer));
  if (!std::equal(hello.begin(), hello.end(), expected.begin())) return -1;
  return static_cast<int>(peer);
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
