// What `scaleml start` leaves on a machine: the cluster file (address and token, mode 0600, so
// `--address auto` and `scaleml stop/status` find the cluster) and one file per local node agent
// (its id, PID and object store), under $SCALEML_HOME (default /tmp/scaleml). Session folders
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

std::string ScalemlHome();
std::string ClusterFilePath();
std::optional<ClusterFile> ReadClusterFile();
void WriteClusterFile(const ClusterFile& file);
void RemoveClusterFile();

std::string NodeFilePath(const std::string& node_name);
void WriteNodeFile(const NodeFile& file);
std::vector<NodeFile> ReadNodeFiles();
void RemoveNodeFile(const std::string& node_name);

// A new session folder with logs/ inside; returns its path and sets *session to its name.
std::string NewSessionDir(std::string* session);

// Resolves --address (auto or HOST:PORT) and --token (may be empty with a cluster file):
// an InputError saying what to do when neither is known.
ClusterFile ResolveCluster(const std::string& address, const std::string& token);

}  // namespace scaleml::tasks
