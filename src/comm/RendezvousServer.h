// The key-value store where a ddp group's ranks meet (rank 0 hosts it under `scaleml launch`,
// mpirun and srun). Unlike torchrun's TCPStore it listens only on the master address, answers
// only clients that prove they hold the group's token (RendezvousProtocol.h), drops a client
// that stalls mid-request or never finishes the handshake, and caps its connections, so a
// stranger can neither read the group's keys nor hang or lock out the group.
// One thread serves every connection with poll; Get and Check wait on the server, not in a loop
// of the client.
// Thread-safety: Start and the destructor from one thread; the serving thread is private.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/Status.h"
#include "net/Socket.h"

namespace scaleml {

struct RendezvousServerOptions {
  std::string address;       // the master address; the server binds to it alone
  int port = 0;              // 0: an ephemeral port (tests)
  std::string token;         // empty: no proof asked (as torchrun's store)
  double handshake_s = 5.0;  // to complete the handshake after connecting
  double stall_s = 10.0;     // to finish a request once its first byte arrived
  int max_connections = 64;  // beyond it, new connections are closed at once
};

class RendezvousServer {
 public:
  static Status Start(const RendezvousServerOptions& options,
                      std::unique_ptr<RendezvousServer>* out);
  ~RendezvousServer();
  RendezvousServer(const RendezvousServer&) = delete;
  RendezvousServer& operator=(const RendezvousServer&) = delete;

  int port() const { return port_; }
  // Connections dropped so far for a failed handshake, a stall or a bad request.
  int dropped() const { return dropped_.load(); }

 private:
  struct State;
  RendezvousServer(RendezvousServerOptions options, net::Listener listener);
  void Serve();

  RendezvousServerOptions options_;
  net::Socket listener_;
  int port_ = 0;
  int wake_read_ = -1;  // a pipe that ends the serving thread's poll
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

}  // namespace scaleml
