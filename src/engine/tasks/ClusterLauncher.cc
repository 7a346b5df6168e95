#include "engine/tasks/ClusterLauncher.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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
#include "net/Socket.h"

namespace scaleml::tasks {
namespace {

// The local address a connection to `host` would leave from (no packet is sent), IPv4 or IPv6.
std::string LocalAddressTowards(const std::string& host, int port) {
  std::string local;
  if (Status s = net::LocalAddressTowards(host, port, &local); !s.ok()) {
    throw InputError("start: ", s.message(), " (give --node-ip-address)");
  }
  return local;
}

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void OnStopSignal(int signal) { g_stop_signal = signal; }

// Copies what the log gained since `offset` to stderr.
void FollowLog(const std::string& path, std::uintmax_t* offset) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size <= *offset) return;
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(*offset));
  std::string chunk(size - *offset, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  std::fwrite(chunk.data(), 1, chunk.size(), stderr);
  std::fflush(stderr);
  *offset += chunk.size();
}

std::int64_t DefaultStoreMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return static_cast<std::int64_t>(pages) * page * 3 / 10;
}

NodeFile WaitForNode(const std::string& home, const std::string& name, int pid,
                     const std::string& log_path) {
  for (int i = 0; i < 300; ++i) {  // 15 s
    for (const auto& file : ReadNodeFiles(home)) {
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
  // Absolute: the agent daemon runs from "/" and gets the home in its options.
  const std::string home = ResolveHome(options.home);
  NodeAgentOptions agent;
  agent.cpus = options.cpus > 0 ? options.cpus : HardwareThreads();
  agent.store_limit =
      options.object_store_memory > 0 ? options.object_store_memory : DefaultStoreMemory();
  agent.head = options.head;
  agent.spill_dir = ObjectStore::SpillDirIn(home);
  agent.home = home;
  agent.node_name = !options.node_name.empty() ? options.node_name
                    : options.head             ? "head"
                                               : StrCat("node-", getpid());
  agent.reconnect_timeout_s = options.reconnect_timeout_s;
  // A head that comes back: this home's cluster file names a head whose Redis or agent died.
  std::optional<ClusterFile> previous;
  std::optional<NodeFile> live_head;
  if (options.head) {
    previous = ReadClusterFile(home);
    if (previous && previous->redis_pid <= 0) previous.reset();  // a worker's file
    if (previous) {
      for (const auto& file : ReadNodeFiles(home)) {
        if (!file.head || file.session != previous->session) continue;
        if (ProcessAlive(file.pid, "scaleml")) {
          live_head = file;
        } else if (options.node_name.empty()) {
          agent.node_name = file.name;  // the crashed head agent comes back under its name
        }
      }
      const bool redis_alive = ProcessAlive(previous->redis_pid, "redis-server");
      if (redis_alive && live_head) {
        throw InputError("a cluster is already running here at ", previous->address,
                         "; stop it first with scaleml stop");
      }
      if (!options.token.empty() && options.token != previous->token) {
        throw InputError("start --head: the cluster in ", home,
                         " was started with another token; give the same one, or scaleml stop "
                         "it first");
      }
      if (live_head) agent.node_name = live_head->name;
    }
  }
  for (const auto& file : ReadNodeFiles(home)) {
    if (file.name != agent.node_name) continue;
    if (live_head && file.name == live_head->name) continue;
    if (ProcessAlive(file.pid, "scaleml")) {
      throw InputError("a node named ", agent.node_name, " already runs here (pid ", file.pid,
                       "); pick another --node-name");
    }
    if (previous && file.head && file.session == previous->session) {
      // The crashed head agent of the cluster we restart: the new one takes over its node id
      // and its objects (a running experiment's dataset), and reruns what it had taken.
      agent.adopt_node_id = file.node_id;
    } else {
      // A crashed agent of that name: its objects would be orphaned once its file is replaced.
      ObjectStore("/dev/shm", file.shm_prefix, 0, ObjectStore::SpillDirIn(home)).RemoveAll();
    }
    RemoveNodeFile(home, file.name);
  }
  StartResult result;
  result.home = home;
  if (options.head && previous) {
    result.cluster = *previous;
    ClusterFile& cluster = result.cluster;
    // The old dashboard goes: `start` starts one beside the restarted parts, and the cluster file
    // must name the one that runs, or `stop` would leave the old one behind.
    if (cluster.dashboard_pid > 0) {
      StopProcess(cluster.dashboard_pid, "scaleml", 5.0);
      cluster.dashboard_pid = 0;
      cluster.dashboard_url.clear();
      WriteClusterFile(home, cluster);
    }
    if (!ProcessAlive(cluster.redis_pid, "redis-server")) {
      RedisServerOptions redis;
      ParseAddress(cluster.address, &redis.bind_host, &redis.port);
      redis.token = cluster.token;
      redis.dir = cluster.session_dir + "/redis";
      redis.start_timeout_s = 60.0;  // replaying a large append-only file takes a while
      cluster.redis_pid = RedisServer::Start(redis);
      WriteClusterFile(home, cluster);
      LogWarning("start: restarted the cluster's Redis at ", cluster.address, " from ", redis.dir);
    }
    ControlStore control(cluster.address, cluster.token);
    if (control.Session().empty()) {  // nothing was persisted: a fresh cluster of that session
      control.InitCluster(cluster.session, options.node_timeout_ms);
    }
    int port = 0;
    ParseAddress(cluster.address, &agent.host, &port);
    if (live_head) {
      result.node = *live_head;
      result.join_command =
          StrCat("SCALEML_TOKEN=", cluster.token, " scaleml start --address ", cluster.address);
      return result;
    }
  } else if (options.head) {
    const std::string ip = options.node_ip.empty() ? "127.0.0.1" : options.node_ip;
    ClusterFile& cluster = result.cluster;
    cluster.session_dir = NewSessionDir(home, &cluster.session);
    // An operator's token (a Kubernetes Secret, a file of the job) or a fresh random one.
    cluster.token = options.token.empty() ? RandomHex(16) : options.token;
    RedisServerOptions redis;
    redis.bind_host = ip;
    redis.port = options.port > 0 ? options.port : RedisServer::FreePort(ip);
    redis.token = cluster.token;
    redis.dir = cluster.session_dir + "/redis";
    cluster.redis_pid = RedisServer::Start(redis);
    cluster.address = StrCat(ip, ":", redis.port);
    ControlStore(cluster.address, cluster.token)
        .InitCluster(cluster.session, options.node_timeout_ms);
    WriteClusterFile(home, cluster);
    agent.host = ip;
  } else {
    if (options.address.empty()) throw InputError("start: give --head or --address HOST:PORT");
    if (options.token.empty())
      throw InputError(
          "start: a cluster token is required to join (SCALEML_TOKEN or --token-file FILE)");
    std::string host;
    int port = 0;
    ParseAddress(options.address, &host, &port);
    ControlStore control(options.address, options.token);  // refuses a wrong token
    ClusterFile& cluster = result.cluster;
    cluster.address = options.address;
    cluster.token = options.token;
    cluster.session = control.Session();
    cluster.session_dir = home + "/" + cluster.session;
    std::filesystem::create_directories(cluster.session_dir + "/logs");
    if (!ReadClusterFile(home)) WriteClusterFile(home, cluster);
    agent.host = options.node_ip.empty() ? LocalAddressTowards(host, port) : options.node_ip;
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
    result.node = WaitForNode(home, agent.node_name, pid, log_path);
  } catch (...) {
    if (options.head) {
      StopProcess(result.cluster.redis_pid, "redis-server", 2.0);
      RemoveClusterFile(home);
    }
    throw;
  }
  if (options.head) {
    // The token goes in the environment: a command line is visible to everyone in ps.
    result.join_command = StrCat("SCALEML_TOKEN=", result.cluster.token,
                                 " scaleml start --address ", result.cluster.address);
  }
  return result;
}

void ClusterLauncher::CatchStopSignals() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int ClusterLauncher::Supervise(const StartResult& started, bool head) {
  CatchStopSignals();
  const std::string log_path =
      started.cluster.session_dir + "/logs/agent_" + started.node.name + ".log";
  std::uintmax_t offset = 0;
  std::string lost;
  while (g_stop_signal == 0 && lost.empty()) {
    FollowLog(log_path, &offset);
    if (!ProcessAlive(started.node.pid, "scaleml")) lost = "the node agent";
    if (head && !ProcessAlive(started.cluster.redis_pid, "redis-server")) lost = "Redis";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FollowLog(log_path, &offset);
  StopProcess(started.node.pid, "scaleml", 10.0);
  ObjectStore("/dev/shm", started.node.shm_prefix, 0, ObjectStore::SpillDirIn(started.home))
      .RemoveAll();
  RemoveNodeFile(started.home, started.node.name);
  if (head) {
    // The dashboard started after Start returned: its pid is in the cluster file.
    if (auto cluster = ReadClusterFile(started.home); cluster && cluster->dashboard_pid > 0) {
      StopProcess(cluster->dashboard_pid, "scaleml", 5.0);
    }
    StopProcess(started.cluster.redis_pid, "redis-server", 5.0);
    // Stopped by its supervisor: gone for good. Lost a part: keep the cluster file, so that the
    // supervisor's restart (`start --head` on this home) brings the cluster's state back.
    if (lost.empty()) RemoveClusterFile(started.home);
  }
  if (!lost.empty()) {
    LogWarning("start: ", lost, " of node ", started.node.name, " exited; the node is stopped");
    return 1;
  }
  std::fprintf(stderr, "scaleml: node %s stopped (%s)\n", started.node.name.c_str(),
               g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}

std::string ClusterLauncher::StopLocal(const std::string& home) {
  std::string report;
  for (const auto& node : ReadNodeFiles(home)) {
    const bool stopped = StopProcess(node.pid, "scaleml", 10.0);
    ObjectStore("/dev/shm", node.shm_prefix, 0, ObjectStore::SpillDirIn(home)).RemoveAll();
    RemoveNodeFile(home, node.name);
    report += StrCat(stopped ? "stopped" : "could not stop", " node agent ", node.name, " (pid ",
                     node.pid, ")\n");
  }
  if (auto cluster = ReadClusterFile(home)) {
    if (cluster->dashboard_pid > 0) {
      const bool stopped = StopProcess(cluster->dashboard_pid, "scaleml", 5.0);
      report += StrCat(stopped ? "stopped" : "could not stop", " dashboard (pid ",
                       cluster->dashboard_pid, ") at ", cluster->dashboard_url, "\n");
    }
    if (cluster->redis_pid > 0) {
      const bool stopped = StopProcess(cluster->redis_pid, "redis-server", 5.0);
      report += StrCat(stopped ? "stopped" : "could not stop", " redis-server (pid ",
                       cluster->redis_pid, ") at ", cluster->address, "\n");
    }
    RemoveClusterFile(home);
  }
  if (report.empty()) report = "nothing to stop on this machine\n";
  return report;
}

}  // namespace scaleml::tasks
