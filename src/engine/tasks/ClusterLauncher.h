// `scaleml start` and `scaleml stop` as functions: start the head (its Redis and node agent) or
// a worker node agent as background daemons and return once the node is up; stop every agent of
// this machine (and Redis on the head), leaving no process and no shared-memory file behind.
// Tune uses the same functions to run a private local cluster when none is running.
// Thread-safety: call from a single-threaded process (it forks daemons).
#pragma once

#include <cstdint>
#include <string>

#include "engine/tasks/ClusterFiles.h"

namespace scaleml::tasks {

struct StartOptions {
  bool head = false;
  std::string address;                   // worker: the head's Redis HOST:PORT
  std::string token;                     // worker: the cluster token
  int port = 6379;                       // head: Redis port (0 = any free port)
  int cpus = 0;                          // 0 = this machine's cores
  std::int64_t object_store_memory = 0;  // 0 = 30% of RAM, as Ray
  std::string node_name;                 // default: "head", or "node-<pid>"
  std::string node_ip;  // default: the address that reaches the head (worker), 127.0.0.1 (head)
  int node_timeout_ms = 10000;        // a node without heartbeat this long is lost
  double reconnect_timeout_s = 60.0;  // the agent's wait for a lost or restarting Redis
  // The home of this node's files, logs and spill folder (empty: ScalemlHome()); tune's private
  // local cluster passes its own.
  std::string home;
};

struct StartResult {
  std::string home;  // absolute, as the node's files are under it
  ClusterFile cluster;
  NodeFile node;
  std::string join_command;  // what workers run (head only)
};

class ClusterLauncher {
 public:
  // On the head, over a home whose cluster file names a Redis that died (or whose head agent
  // died), Start restarts what died with the state it had: Redis on the same address, token and
  // folder (its append-only file replayed), the head agent with the same node id and objects.
  static StartResult Start(const StartOptions& options);
  // `start --block`: stays in the foreground after Start, copying the agent's log to stderr, so
  // that Slurm, systemd or Kubernetes own the node. SIGTERM or SIGINT stops this node cleanly
  // (its agent, its objects, its node file, and on the head Redis and the cluster file); the
  // agent or Redis dying stops the rest. Returns the exit code: 0 after a signal, 1 otherwise.
  static int Supervise(const StartResult& started, bool head);
  // Installs Supervise's SIGTERM/SIGINT handlers; `start --block` calls it before Start, so a
  // signal that arrives as soon as the node is up is a clean stop, not the default death.
  static void CatchStopSignals();
  // Stops the agents and Redis whose files are in `home`; returns a line per stopped thing.
  static std::string StopLocal(const std::string& home);
};

}  // namespace scaleml::tasks
