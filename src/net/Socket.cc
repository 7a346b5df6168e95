#include "net/Socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/Error.h"

namespace scaleml::net {
namespace {

StatusCode CodeOfErrno(int error) {
  switch (error) {
    case ETIMEDOUT:
      return StatusCode::kTimeout;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return StatusCode::kRefused;
    case ECONNRESET:
    case EPIPE:
      return StatusCode::kPeerLost;
    default:
      return StatusCode::kFailed;
  }
}

// getaddrinfo as a Status; `found` is freed by the caller.
Status Resolve(const std::string& host, int port, int socktype, int flags, addrinfo** found) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = flags | AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, found);
  if (rc != 0) {
    return Status::Fail(StatusCode::kInvalid,
                        StrCat("cannot resolve '", host, "': ", gai_strerror(rc)));
  }
  return Status::Ok();
}

int PortOf(const sockaddr_storage& address) {
  return address.ss_family == AF_INET6
             ? ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port)
             : ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

// The numeric text of an address ("10.0.0.2", "fd00::2"); empty when it has none.
std::string AddressText(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw =
      address.ss_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr)
          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(&address)->sin_addr);
  return inet_ntop(address.ss_family, raw, text, sizeof(text)) != nullptr ? text : "";
}

}  // namespace

Deadline DeadlineIn(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(std::max(seconds, 0.0)));
}

int RemainingMs(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1'000'000));
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.Release();
  }
  return *this;
}

int Socket::Release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Socket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SetNoDelayNonBlocking(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

Status Listen(const std::string& address, int port, int backlog, Listener* out) {
  addrinfo* found = nullptr;
  if (Status resolved = Resolve(address, port, SOCK_STREAM, AI_PASSIVE, &found); !resolved.ok()) {
    return resolved;
  }
  Socket socket;
  int error = EADDRNOTAVAIL;
  for (addrinfo* ai = found; ai != nullptr && !socket.valid(); ai = ai->ai_next) {
    Socket candidate(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!candidate.valid()) continue;
    const int one = 1;
    setsockopt(candidate.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(candidate.fd(), ai->ai_addr, ai->ai_addrlen) == 0 &&
        listen(candidate.fd(), backlog) == 0) {
      socket = std::move(candidate);
    } else {
      error = errno;
    }
  }
  freeaddrinfo(found);
  if (!socket.valid()) {
    return Status::Fail(
        error == EADDRINUSE ? StatusCode::kInUse : CodeOfErrno(error),
        StrCat("cannot listen on ", address, ":", port, ": ", std::strerror(error)));
  }
  sockaddr_storage self{};
  socklen_t length = sizeof(self);
  getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&self), &length);
  out->port = PortOf(self);
  out->socket = std::move(socket);
  return Status::Ok();
}

Status ConnectBefore(const std::string& host, int port, Deadline deadline, Socket* out) {
  addrinfo* found = nullptr;
  if (Status resolved = Resolve(host, port, SOCK_STREAM, 0, &found); !resolved.ok()) {
    return resolved;
  }
  int error = EHOSTUNREACH;
  for (addrinfo* ai = found; ai != nullptr && !out->valid(); ai = ai->ai_next) {
    Socket candidate(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!candidate.valid()) continue;
    int rc = connect(candidate.fd(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd wait{candidate.fd(), POLLOUT, 0};
      rc = -1;
      errno = ETIMEDOUT;
      if (poll(&wait, 1, RemainingMs(deadline)) == 1) {
        int failure = 0;
        socklen_t length = sizeof(failure);
        getsockopt(candidate.fd(), SOL_SOCKET, SO_ERROR, &failure, &length);
        rc = failure == 0 ? 0 : -1;
        errno = failure;
      }
    }
    if (rc == 0) {
      SetNoDelayNonBlocking(candidate.fd());
      *out = std::move(candidate);
    } else {
      error = errno;
    }
  }
  freeaddrinfo(found);
  if (out->valid()) return Status::Ok();
  return Status::Fail(CodeOfErrno(error),
                      StrCat("cannot connect to ", host, ":", port, ": ", std::strerror(error)));
}

Socket AcceptPending(const Socket& listener) {
  Socket accepted(accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (accepted.valid()) SetNoDelayNonBlocking(accepted.fd());
  return accepted;
}

Socket AcceptPending(const Socket& listener, std::string* peer_address) {
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  Socket accepted(accept4(listener.fd(), reinterpret_cast<sockaddr*>(&peer), &length,
                          SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!accepted.valid()) return accepted;
  SetNoDelayNonBlocking(accepted.fd());
  *peer_address = AddressText(peer);
  if (peer_address->empty()) peer_address->assign(1, '?');
  return accepted;
}

Status SendAll(int fd, const void* data, std::size_t bytes, Deadline deadline) {
  const auto* at = static_cast<const std::byte*>(data);
  while (bytes > 0) {
    const ssize_t n = send(fd, at, bytes, MSG_NOSIGNAL);
    if (n > 0) {
      at += n;
      bytes -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::Fail(CodeOfErrno(errno), StrCat("send: ", std::strerror(errno)));
    }
    pollfd wait{fd, POLLOUT, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) == 0) {
      return Status::Fail(StatusCode::kTimeout, "send: timed out");
    }
  }
  return Status::Ok();
}

Status RecvAll(int fd, void* data, std::size_t bytes, Deadline deadline) {
  auto* at = static_cast<std::byte*>(data);
  while (bytes > 0) {
    const ssize_t n = recv(fd, at, bytes, 0);
    if (n > 0) {
      at += n;
      bytes -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0)
      return Status::Fail(StatusCode::kPeerLost, "receive: the peer closed the connection");
    if (errno != EAGAIN && errno != EINTR) {
      return Status::Fail(CodeOfErrno(errno), StrCat("receive: ", std::strerror(errno)));
    }
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, RemainingMs(deadline)) == 0) {
      return Status::Fail(StatusCode::kTimeout, "receive: timed out");
    }
  }
  return Status::Ok();
}

Status LocalAddressTowards(const std::string& host, int port, std::string* out) {
  addrinfo* found = nullptr;
  if (Status resolved = Resolve(host, port, SOCK_DGRAM, 0, &found); !resolved.ok()) {
    return resolved;
  }
  std::string local;
  for (addrinfo* ai = found; ai != nullptr && local.empty(); ai = ai->ai_next) {
    Socket probe(::socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!probe.valid()) continue;
    sockaddr_storage self{};
    socklen_t length = sizeof(self);
    if (connect(probe.fd(), ai->ai_addr, ai->ai_addrlen) == 0 &&
        getsockname(probe.fd(), reinterpret_cast<sockaddr*>(&self), &length) == 0) {
      local = AddressText(self);
    }
  }
  freeaddrinfo(found);
  if (local.empty()) {
    return Status::Fail(StatusCode::kRefused, StrCat("no route from this host to ", host));
  }
  *out = std::move(local);
  return Status::Ok();
}

Status FreePort(const std::string& host, int* port) {
  Listener probe;
  if (Status listened = Listen(host, 0, 1, &probe); !listened.ok()) return listened;
  *port = probe.port;
  return Status::Ok();
}

}  // namespace scaleml::net
