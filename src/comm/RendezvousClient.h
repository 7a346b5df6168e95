// A rank's connection to the group's RendezvousServer: it proves it holds the token, checks that
// the server holds it too, then sets and gets keys. Every call has the client's deadline; a
// failure is a Status with a code (kTimeout, kPeerLost, kDenied for a wrong token, kRefused for
// nobody listening, kInvalid for a broken reply).
// Thread-safety: calls are serialised by an internal mutex (Gloo may call from its own thread).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/Status.h"
#include "net/Socket.h"

namespace scaleml {

class RendezvousClient {
 public:
  // Connects, retrying refused connections until `timeout_s` passes (the server may start after
  // its clients), and completes the handshake.
  static Status Connect(const std::string& host, int port, const std::string& token,
                        double timeout_s, std::unique_ptr<RendezvousClient>* out);

  Status Set(const std::string& key, const std::string& value);
  // Waits, up to the timeout, for the key to exist.
  Status Get(const std::string& key, std::string* value);
  Status Add(const std::string& key, std::int64_t delta, std::int64_t* result);
  Status Check(const std::vector<std::string>& keys, bool* all_exist);
  Status Delete(const std::string& key, bool* existed);
  Status NumKeys(std::int64_t* count);

  double timeout_s() const { return timeout_s_; }
  void set_timeout_s(double seconds) { timeout_s_ = seconds; }

 private:
  RendezvousClient(net::Socket socket, double timeout_s)
      : socket_(std::move(socket)), timeout_s_(timeout_s) {}
  Status Call(std::uint8_t op, const std::string& key, const std::string& value,
              std::string* reply);

  std::mutex mutex_;
  net::Socket socket_;
  double timeout_s_;
  std::string broken_;  // set after a failed call: the stream is out of step
};

}  // namespace scaleml
