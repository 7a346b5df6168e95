#include "engine/tasks/ClusterLauncher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/Threads.h"
#include "engine/tasks/ControlStore.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/NodeAgent.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/RedisClient.h"
#include "engine/tasks/RedisServer.h"

namespace scaleml::tasks {
namespace {

// The local address a connection to `host` would leave from (no packet is sent).
std::string LocalAddressTowards(const std::string& host) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return "127.0.0.1";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(9);
  std::string result = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1 &&
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      char text[INET_ADDRSTRLEN];
      if (inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text)) != nullptr) result = text;
    }
  }
  close(fd);
  return result;
}

std::int64_t DefaultStoreMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return static_cast<std::int64_t>(pages) * page * 3 / 10;
}

NodeFile WaitForNode(const std::string& name, int pid, const std::string& log_path) {
  for (int i = 0; i < 300; ++i) {  // 15 s
    for (const auto& file : ReadNodeFiles()) {
      if (file.name == name && file.pid == pid) return file;
    }
    if (!ProcessAlive(pid, "scaleml")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  StopProcess(pid, "scaleml", 2.0);
  std::string log;
  try {
    log = ReadWholeFile(log_path);
  } catch (const Error&) {
  }
  while (!log.empty() && log.back() == '\n') log.pop_back();
  const auto last_line = log.rfind('\n');
  throw Failure(
      "node agent ", name, " did not come up",
      log.empty() ? "" : ": " + log.substr(last_line == std::string::npos ? 0 : last_line + 1),
      " (log: ", log_path, ")");
}

}  // namespace

StartResult ClusterLauncher::Start(const StartOptions& options) {
  if (options.head && !options.address.empty()) {
    throw InputError("start: give either --head or --address, not both");
  }
  if (options.cpus < 0) throw InputError("start: --num-cpus must be >= 0, not ", options.cpus);
  if (options.object_store_memory < 0) {
    throw InputError("start: --object-store-memory must be >= 0 bytes");
  }
  if (options.port < 0 || options.port > 65535) {
    throw InputError("start: --port must be 0..65535, not ", options.port);
  }
  if (options.node_timeout_ms < 500) {
    throw InputError("start: --node-timeout-ms must be at least 500");
  }
  if (options.node_name.find_first_of("/ \t") != std::string::npos) {
    throw InputError("start: --node-name '", options.node_name, "' may not hold '/' or spaces");
  }
  // The daemons run from "/": hand them an absolute SCALEML_HOME.
  if (std::getenv("SCALEML_HOME") != nullptr) setenv("SCALEML_HOME", ScalemlHome().c_str(), 1);
  NodeAgentOptions agent;
  agent.cpus = options.cpus > 0 ? options.cpus : HardwareThreads();
  agent.store_limit =
      options.object_store_memory > 0 ? options.object_store_memory : DefaultStoreMemory();
  agent.head = options.head;
  agent.node_name = !options.node_name.empty() ? options.node_name
                    : options.head             ? "head"
                                               : StrCat("node-", getpid());
  for (const auto& file : ReadNodeFiles()) {
    if (file.name != agent.node_name) continue;
    if (ProcessAlive(file.pid, "scaleml")) {
      throw InputError("a node named ", agent.node_name, " already runs here (pid ", file.pid,
                       "); pick another --node-name");
    }
    // A crashed agent of that name: its objects would be orphaned once its file is replaced.
    ObjectStore("/dev/shm", file.shm_prefix, 0).RemoveAll();
    RemoveNodeFile(file.name);
  }
  StartResult result;
  if (options.head) {
    if (auto existing = ReadClusterFile();
        existing && ProcessAlive(existing->redis_pid, "redis-server")) {
      throw InputError("a cluster is already running here at ", existing->address,
                       "; stop it first with scaleml stop");
    }
    const std::string ip = options.node_ip.empty() ? "127.0.0.1" : options.node_ip;
    ClusterFile& cluster = result.cluster;
    cluster.session_dir = NewSessionDir(&cluster.session);
    cluster.token = RandomHex(16);
    RedisServerOptions redis;
    redis.bind_host = ip;
    redis.port = options.port > 0 ? options.port : RedisServer::FreePort(ip);
    redis.token = cluster.token;
    redis.dir = cluster.session_dir + "/redis";
    cluster.redis_pid = RedisServer::Start(redis);
    cluster.address = StrCat(ip, ":", redis.port);
    ControlStore(cluster.address, cluster.token)
        .InitCluster(cluster.session, options.node_timeout_ms);
    WriteClusterFile(cluster);
    agent.host = ip;
  } else {
    if (options.address.empty()) throw InputError("start: give --head or --address HOST:PORT");
    if (options.token.empty()) throw InputError("start: --token is required to join a cluster");
    std::string host;
    int port = 0;
    ParseAddress(options.address, &host, &port);
    ControlStore control(options.address, options.token);  // refuses a wrong token
    ClusterFile& cluster = result.cluster;
    cluster.address = options.address;
    cluster.token = options.token;
    cluster.session = control.Session();
    cluster.session_dir = ScalemlHome() + "/" + cluster.session;
    std::filesystem::create_directories(cluster.session_dir + "/logs");
    if (!ReadClusterFile()) WriteClusterFile(cluster);
    agent.host = options.node_ip.empty() ? LocalAddressTowards(host) : options.node_ip;
  }
  agent.address = result.cluster.address;
  agent.token = result.cluster.token;
  const std::string log_path =
      result.cluster.session_dir + "/logs/agent_" + agent.node_name + ".log";
  const pid_t pid = SpawnDaemon(log_path, [agent] {
    SetLogLevel(LogLevel::kInfo);
    NodeAgent node(agent, TaskRegistry::Builtin());
    return node.Run();
  });
  try {
    result.node = WaitForNode(agent.node_name, pid, log_path);
  } catch (...) {
    if (options.head) {
      StopProcess(result.cluster.redis_pid, "redis-server", 2.0);
      RemoveClusterFile();
    }
    throw;
  }
  if (options.head) {
    result.join_command = StrCat("scaleml start --address ", result.cluster.address, " --token ",
                                 result.cluster.token);
  }
  return result;
}

std::string ClusterLauncher::StopLocal() {
  std::string report;
  for (const auto& node : ReadNodeFiles()) {
    const bool stopped = StopProcess(node.pid, "scaleml", 10.0);
    ObjectStore("/dev/shm", node.shm_prefix, 0).RemoveAll();
    RemoveNodeFile(node.name);
    report += StrCat(stopped ? "stopped" : "could not stop", " node agent ", node.name, " (pid ",
                     node.pid, ")\n");
  }
  if (auto cluster = ReadClusterFile()) {
    if (cluster->redis_pid > 0) {
      const bool stopped = StopProcess(cluster->redis_pid, "redis-server", 5.0);
      report += StrCat(stopped ? "stopped" : "could not stop", " redis-server (pid ",
                       cluster->redis_pid, ") at ", cluster->address, "\n");
    }
    RemoveClusterFile();
  }
  if (report.empty()) report = "nothing to stop on this machine\n";
  return report;
}

}  // namespace scaleml::tasks
