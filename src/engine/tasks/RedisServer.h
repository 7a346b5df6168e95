// Starts the cluster's own redis-server (Debian's binary) with its own config: a password (the
// cluster token, in a 0600 config file, never on the command line), bound to one address,
// append-only persistence (fsync every second) in its own folder under the head's home, so that
// starting it again on that folder brings back the cluster's state. Never the system one.
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
  // PID. A Failure naming the log when it does not come up (e.g. the port is taken). On a folder
  // that holds an append-only file it replays it first (the wait covers the loading).
  static pid_t Start(const RedisServerOptions& options);
  // True when redis-server is installed (tests skip otherwise).
  static bool Available();
  // A TCP port on `host` that was free a moment ago.
  static int FreePort(const std::string& host);
};

}  // namespace scaleml::tasks
