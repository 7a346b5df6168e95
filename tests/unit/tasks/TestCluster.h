// A throw-away cluster inside a test: its own redis-server on a free loopback port in a temp
// folder, and node agents forked from the test process (each a real agent with worker
// processes), stopped and cleaned up by the destructor.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/Log.h"
#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/ControlStore.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/NodeAgent.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/RedisServer.h"
#include "unit/tasks/TestTasks.h"

namespace scaleml::tasks::test_support {

class TestCluster {
 public:
  explicit TestCluster(int node_timeout_ms = 10000) {
    char pattern[] = "/tmp/scaleml_tasks_test_XXXXXX";
    home_ = mkdtemp(pattern);  // passed to agents and drivers; the environment is left alone
    RedisServerOptions& redis = redis_options_;
    redis.port = RedisServer::FreePort("127.0.0.1");
    redis.token = RandomHex(16);
    redis.dir = home_ + "/redis";
    redis_pid_ = RedisServer::Start(redis);
    cluster_.address = "127.0.0.1:" + std::to_string(redis.port);
    cluster_.token = redis.token;
    cluster_.session = "t" + RandomHex(4);
    cluster_.session_dir = home_;
    cluster_.redis_pid = redis_pid_;
    ControlStore(cluster_.address, cluster_.token).InitCluster(cluster_.session, node_timeout_ms);
    WriteClusterFile(home_, cluster_);
  }

  ~TestCluster() {
    for (pid_t pid : agents_) StopAgent(pid);
    StopProcess(redis_pid_, "redis-server", 2.0);
    // Objects of agents killed with SIGKILL are left: remove this session's files.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
      if (entry.path().filename().string().rfind("scaleml_" + cluster_.session, 0) == 0) {
        std::filesystem::remove(entry.path(), ec);
      }
    }
    std::filesystem::remove_all(home_, ec);
  }

  // Forks a node agent (running `registry`'s tasks, the builtin ones by default); returns its PID
  // once it is registered.
  pid_t StartAgent(const std::string& name, int cpus, std::int64_t store_limit = 64 << 20,
                   std::int64_t memory = 0, const TaskRegistry* registry = nullptr) {
    NodeAgentOptions options;
    options.address = cluster_.address;
    options.token = cluster_.token;
    options.node_name = name;
    options.cpus = cpus;
    options.store_limit = store_limit;
    options.memory = memory;
    options.heartbeat_s = 0.2;
    options.home = home_;
    const pid_t pid = fork();
    if (pid == 0) {
      SetLogLevel(LogLevel::kQuiet);
      int code = 1;
      try {
        NodeAgent agent(options, registry != nullptr ? *registry : TestRegistry());
        code = agent.Run();
      } catch (...) {
      }
      _exit(code);
    }
    agents_.push_back(pid);
    for (int i = 0; i < 200; ++i) {
      if (std::filesystem::exists(NodeFilePath(home_, name))) break;
      usleep(20000);
    }
    return pid;
  }

  void StopAgent(pid_t pid) {
    kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; ++i) usleep(10000);
    kill(pid, SIGKILL);
    waitpid(pid, &status, WNOHANG);
  }

  // Kills Redis (SIGKILL), waits `down_s`, and starts it again on the same port and folder.
  void RestartRedis(double down_s) {
    kill(redis_pid_, SIGKILL);
    for (int i = 0; i < 200 && ProcessAlive(redis_pid_, ""); ++i) usleep(10000);
    usleep(static_cast<useconds_t>(down_s * 1e6));
    redis_pid_ = RedisServer::Start(redis_options_);
  }

  const ClusterFile& cluster() const { return cluster_; }
  const std::string& home() const { return home_; }

 private:
  std::string home_;
  RedisServerOptions redis_options_;
  pid_t redis_pid_ = -1;
  ClusterFile cluster_;
  std::vector<pid_t> agents_;
};

}  // namespace scaleml::tasks::test_support
