// What `scaleml start` leaves on a machine: the cluster file (address and token, mode 0600, so
// `--address auto` and `scaleml stop/status` find the cluster) and one file per local node agent
// (its id, PID and object store), under a home folder: $SCALEML_HOME (default /tmp/scaleml),
// or the private one of a local cluster that tune starts for a run. Session folders
// with logs live there too, as Ray keeps them under /tmp/ray.
// Thread-safety: reentrant functions over files; concurrent writers of one file last-write-win.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::tasks {

struct ClusterFile {
  std::string address;  // HOST:PORT of Redis
  std::string token;
  std::string session;
  std::string session_dir;
  int redis_pid = 0;          // on the head only
  int dashboard_pid = 0;      // the head's dashboard (0: none), stopped with the cluster
  std::string dashboard_url;  // where it listens (no token in it)
  nlohmann::json ToJson() const;
  static ClusterFile FromJson(const nlohmann::json& j);
};

struct NodeFile {
  std::string node_id;
  std::string name;
  std::string session;
  std::string address;  // the cluster's
  int pid = 0;          // the agent
  std::string shm_prefix;
  std::int64_t store_limit = 0;
  bool head = false;
  nlohmann::json ToJson() const;
  static NodeFile FromJson(const nlohmann::json& j);
};

// The home from the environment: $SCALEML_HOME made absolute (daemons run from "/"), or
// /tmp/scaleml; an InputError when it is not private to this user. Commands call it once at the
// edge and pass the home on; nothing sets SCALEML_HOME for a process (a private local cluster
// passes its own home explicitly).
std::string ScalemlHome();
// `home` as ScalemlHome() checks it: absolute and private; ScalemlHome() when empty.
std::string ResolveHome(const std::string& home);

std::string ClusterFilePath(const std::string& home);
std::optional<ClusterFile> ReadClusterFile(const std::string& home);
void WriteClusterFile(const std::string& home, const ClusterFile& file);
void RemoveClusterFile(const std::string& home);

std::string NodeFilePath(const std::string& home, const std::string& node_name);
void WriteNodeFile(const std::string& home, const NodeFile& file);
std::vector<NodeFile> ReadNodeFiles(const std::string& home);
void RemoveNodeFile(const std::string& home, const std::string& node_name);

// A new session folder with logs/ inside; returns its path and sets *session to its name.
std::string NewSessionDir(const std::string& home, std::string* session);

// Resolves --address (auto or HOST:PORT) and --token (may be empty with a cluster file in
// `home`): an InputError saying what to do when neither is known.
ClusterFile ResolveCluster(const std::string& home, const std::string& address,
                           const std::string& token);

}  // namespace scaleml::tasks
