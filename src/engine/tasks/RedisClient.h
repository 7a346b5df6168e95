// A synchronous connection to the cluster's Redis server (hiredis), authenticated with the
// cluster token. Replies are copied into plain values so callers never touch hiredis memory.
// With a reconnect timeout (SetReconnectTimeout), a lost connection or a server still loading its
// append-only file is retried with backoff until that timeout, and the commands are sent again:
// callers must keep every command safe to repeat (the control store's scripts check state and
// attempt). generation() counts reconnections, so a caller can reconcile its state after one.
// Thread-safety: one RedisClient per thread; distinct clients are independent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/Status.h"

struct redisContext;

namespace scaleml::tasks {

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // string, status or error text
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool nil() const { return type == Type::kNil; }
  // Integer value of an integer reply or a numeric string; 0 for nil.
  long long AsInt() const;
};

class RedisClient {
 public:
  // Connects and authenticates; a Failure naming host:port when the server is unreachable, and
  // an InputError when the token is refused.
  RedisClient(const std::string& host, int port, const std::string& token, double timeout_s = 5.0);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command; a Failure on connection errors and on error replies.
  RedisReply Command(const std::vector<std::string>& args);
  // Several commands in one round trip; error replies are returned, not thrown.
  std::vector<RedisReply> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // Socket timeout for following commands (blocking reads add their own block time).
  void SetTimeout(double seconds);
  // How long a command waits for the server to come back (0, the default: fail at once).
  void SetReconnectTimeout(double seconds) { reconnect_timeout_s_ = seconds; }
  double reconnect_timeout() const { return reconnect_timeout_s_; }
  // Checked between reconnection attempts: true ends the wait at once (a Failure), so that a
  // process asked to stop does not wait out the reconnect timeout.
  void SetInterrupt(std::function<bool()> interrupted) { interrupted_ = std::move(interrupted); }
  // How many times this client reconnected after losing the server.
  std::uint64_t generation() const { return generation_; }
  // The socket, so a forked child can close it without talking to the server.
  int fd() const;
  const std::string& address() const { return address_; }

 private:
  // One connection attempt with AUTH: kRefused/kPeerLost/kTimeout when the server is not (yet)
  // there, kDenied when it refuses the token.
  Status Connect();
  // Sends and reads once; kPeerLost when the connection broke, kTimeout on a socket timeout,
  // kInvalid ("LOADING") while the server replays its append-only file.
  Status TryPipeline(const std::vector<std::vector<std::string>>& commands,
                     std::vector<RedisReply>* replies);

  redisContext* context_ = nullptr;
  std::string host_;
  int port_ = 0;
  std::string token_;
  double timeout_s_ = 5.0;
  double reconnect_timeout_s_ = 0;
  std::function<bool()> interrupted_;
  std::uint64_t generation_ = 0;
  std::string address_;
};

// "HOST:PORT" -> host and port; an InputError naming the text when malformed.
void ParseAddress(const std::string& address, std::string* host, int* port);

}  // namespace scaleml::tasks
