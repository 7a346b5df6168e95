#include "engine/tasks/RedisServer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/RedisClient.h"

namespace scaleml::tasks {

pid_t RedisServer::Start(const RedisServerOptions& options) {
  std::filesystem::create_directories(options.dir);
  const std::string conf_path = options.dir + "/redis.conf";
  const std::string log_path = options.dir + "/redis.log";
  // The token is in the config (never on the command line, which ps shows to everyone): keep
  // the file private to the user. Append-only persistence in the head's home, synced every
  // second, so that a restarted Redis comes back with the cluster's state (at most the last
  // second of writes lost; the agents and drivers repair that, see docs/fault-matrix.md).
  std::string conf =
      StrCat("port ", options.port, "\nbind ", options.bind_host, "\nrequirepass ", options.token,
             "\ndir ", options.dir, "\nsave \"\"\nappendonly yes\nappendfsync everysec\n",
             "daemonize no\nprotected-mode no\n", "databases 1\nloglevel warning\nlogfile \"\"\n");
  WriteFileAtomically(conf_path, conf);
  std::filesystem::permissions(
      conf_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const pid_t pid = SpawnDaemonExec(log_path, {"redis-server", conf_path});
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(options.start_timeout_s * 1000));
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ProcessAlive(pid, "")) break;  // not yet exec()ed: the name may differ
    try {
      RedisClient client(options.bind_host, options.port, options.token, 1.0);
      client.Command({"PING"});
      return pid;
    } catch (const Error& e) {
      last_error = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  StopProcess(pid, "redis-server", 1.0);
  throw Failure("redis-server did not start on ", options.bind_host, ":", options.port,
                " (port in use? see ", log_path, ")", last_error.empty() ? "" : ": ", last_error);
}

bool RedisServer::Available() { return access("/usr/bin/redis-server", X_OK) == 0; }

int RedisServer::FreePort(const std::string& host) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Failure("socket: cannot find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    throw Failure("cannot bind to ", host, " to find a free port");
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace scaleml::tasks
