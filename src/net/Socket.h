// The network layer every TCP user of scaleml shares: an RAII socket, listen and connect with
// deadlines, send-all and receive-all with deadlines, the local address that routes to a host
// (IPv4 and IPv6), free ports. Every failure is a Status with a code (timeout, peer lost, refused,
// invalid), so callers branch on codes. Sockets are non-blocking and close-on-exec; every wait is a
// poll bounded by a deadline, so no call here can block past it. Thread-safety: a Socket belongs to
// one thread at a time; the functions are reentrant.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/Status.h"

namespace scaleml::net {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

Deadline DeadlineIn(double seconds);
// Milliseconds left before `deadline`, for poll (0 once it has passed).
int RemainingMs(Deadline deadline);

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Close(); }
  Socket(Socket&& other) noexcept : fd_(other.Release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();
  void Close();

 private:
  int fd_ = -1;
};

struct Listener {
  Socket socket;
  int port = 0;
};

// Listens on `address` (a host name or numeric address; never every interface unless the
// caller passes "0.0.0.0" or "::") at `port` (0: an ephemeral one). The socket is non-blocking.
Status Listen(const std::string& address, int port, int backlog, Listener* out);
// Connects to host:port before the deadline; the socket is non-blocking with TCP_NODELAY.
Status ConnectBefore(const std::string& host, int port, Deadline deadline, Socket* out);
// Accepts one pending connection of a non-blocking listener (an invalid Socket when none is).
Socket AcceptPending(const Socket& listener);
// The same, naming the peer's numeric address in `peer_address`.
Socket AcceptPending(const Socket& listener, std::string* peer_address);

// All of `bytes` written or read before the deadline.
Status SendAll(int fd, const void* data, std::size_t bytes, Deadline deadline);
Status RecvAll(int fd, void* data, std::size_t bytes, Deadline deadline);

// The address of this machine that routes to host:port (a UDP connect, nothing sent); the
// loopback address of the same family for a loopback host.
Status LocalAddressTowards(const std::string& host, int port, std::string* out);

// A port of `host` that was free a moment ago (listened on, then released): for a process that
// must be told its port before it listens (a launched group's rendezvous). Another process may
// take it in between; the caller's listen then fails with kInUse.
Status FreePort(const std::string& host, int* port);

void SetNoDelayNonBlocking(int fd);

}  // namespace scaleml::net
