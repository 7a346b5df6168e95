// Starts the cluster's own redis-server (Debian's binary) with its own config: a password (the
// cluster token), bound to one address, no persistence, its own folder. Never the system one.
// Thread-safety: call from a single-threaded process (it forks).
#pragma once

#include <sys/types.h>

#include <string>

namespace scaleml::tasks {

struct RedisServerOptions {
  std::string bind_host = "127.0.0.1";
  int port = 6379;
  std::string token;
  std::string dir;  // config, log and working folder (created)
  double start_timeout_s = 10.0;
};

class RedisServer {
 public:
  // Starts a detached redis-server and waits until it answers an authenticated PING; returns its
  // PID. A Failure naming the log when it does not come up (e.g. the port is taken).
  static pid_t Start(const RedisServerOptions& options);
  // True when redis-server is installed (tests skip otherwise).
  static bool Available();
  // A TCP port on `host` that was free a moment ago.
  static int FreePort(const std::string& host);
};

}  // namespace scaleml::tasks
