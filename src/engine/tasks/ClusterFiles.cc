#include "engine/tasks/ClusterFiles.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml::tasks {
namespace fs = std::filesystem;

nlohmann::json ClusterFile::ToJson() const {
  return {{"address", address},
          {"token", token},
          {"session", session},
          {"session_dir", session_dir},
          {"redis_pid", redis_pid},
          {"dashboard_pid", dashboard_pid},
          {"dashboard_url", dashboard_url}};
}

ClusterFile ClusterFile::FromJson(const nlohmann::json& j) {
  ClusterFile f;
  f.address = j.value("address", "");
  f.token = j.value("token", "");
  f.session = j.value("session", "");
  f.session_dir = j.value("session_dir", "");
  f.redis_pid = j.value("redis_pid", 0);
  f.dashboard_pid = j.value("dashboard_pid", 0);
  f.dashboard_url = j.value("dashboard_url", "");
  return f;
}

nlohmann::json NodeFile::ToJson() const {
  return {{"node_id", node_id},         {"name", name}, {"session", session},
          {"address", address},         {"pid", pid},   {"shm_prefix", shm_prefix},
          {"store_limit", store_limit}, {"head", head}};
}

NodeFile NodeFile::FromJson(const nlohmann::json& j) {
  NodeFile f;
  f.node_id = j.value("node_id", "");
  f.name = j.value("name", "");
  f.session = j.value("session", "");
  f.address = j.value("address", "");
  f.pid = j.value("pid", 0);
  f.shm_prefix = j.value("shm_prefix", "");
  f.store_limit = j.value("store_limit", std::int64_t{0});
  f.head = j.value("head", false);
  return f;
}

namespace {

// `stop` removes what the node files in the home name, and the cluster file holds the token:
// a home that another user owns or may write into could plant files there.
void CheckHomeIsPrivate(const std::string& home) {
  struct stat st {};
  if (lstat(home.c_str(), &st) != 0) return;  // created later, mode 0700
  std::string problem;
  if (!S_ISDIR(st.st_mode)) {
    problem = "is not a folder";
  } else if (st.st_uid != geteuid()) {
    problem = StrCat("belongs to uid ", st.st_uid, ", not to this user (uid ", geteuid(), ")");
  } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    problem = "is writable by other users";
  }
  if (!problem.empty()) {
    throw InputError("SCALEML_HOME ", home, " ", problem,
                     "; use a folder of your own (mkdir -m 700 DIR; export SCALEML_HOME=DIR)");
  }
}

}  // namespace

std::string ScalemlHome() {
  const char* home = std::getenv("SCALEML_HOME");
  return ResolveHome(home != nullptr && *home != '\0' ? home : "/tmp/scaleml");
}

std::string ResolveHome(const std::string& home) {
  if (home.empty()) return ScalemlHome();
  // Absolute: daemons run from "/".
  std::error_code ec;
  const fs::path absolute = fs::absolute(home, ec);
  const std::string path = ec ? home : absolute.lexically_normal().string();
  CheckHomeIsPrivate(path);
  return path;
}

std::string ClusterFilePath(const std::string& home) { return home + "/cluster.json"; }

static void WritePrivate(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  chmod(fs::path(path).parent_path().c_str(), 0700);
  const mode_t old = umask(077);
  WriteFileAtomically(path, text);
  umask(old);
  chmod(path.c_str(), 0600);
}

std::optional<ClusterFile> ReadClusterFile(const std::string& home) {
  const std::string path = ClusterFilePath(home);
  if (!fs::exists(path)) return std::nullopt;
  auto j = nlohmann::json::parse(ReadWholeFile(path), nullptr, false);
  if (j.is_discarded()) throw InputError(path, ": not valid JSON (remove it)");
  return ClusterFile::FromJson(j);
}

void WriteClusterFile(const std::string& home, const ClusterFile& file) {
  WritePrivate(ClusterFilePath(home), file.ToJson().dump(2) + "\n");
}

void RemoveClusterFile(const std::string& home) {
  std::error_code ec;
  fs::remove(ClusterFilePath(home), ec);
}

std::string NodeFilePath(const std::string& home, const std::string& node_name) {
  return home + "/nodes/" + node_name + ".json";
}

void WriteNodeFile(const std::string& home, const NodeFile& file) {
  WritePrivate(NodeFilePath(home, file.name), file.ToJson().dump(2) + "\n");
}

std::vector<NodeFile> ReadNodeFiles(const std::string& home) {
  std::vector<NodeFile> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(home + "/nodes", ec)) {
    if (entry.path().extension() != ".json") continue;
    auto j = nlohmann::json::parse(ReadWholeFile(entry.path().string()), nullptr, false);
    if (!j.is_discarded()) files.push_back(NodeFile::FromJson(j));
  }
  return files;
}

void RemoveNodeFile(const std::string& home, const std::string& node_name) {
  std::error_code ec;
  fs::remove(NodeFilePath(home, node_name), ec);
}

std::string NewSessionDir(const std::string& home, std::string* session) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H-%M-%S", std::localtime(&now));
  *session = StrCat("session_", stamp, "_", getpid());
  const std::string dir = home + "/" + *session;
  fs::create_directories(dir + "/logs");
  chmod(home.c_str(), 0700);
  return dir;
}

ClusterFile ResolveCluster(const std::string& home, const std::string& address,
                           const std::string& token) {
  auto file = ReadClusterFile(home);
  if (address.empty() || address == "auto") {
    if (!file) {
      throw InputError("no cluster running on this machine (", ClusterFilePath(home),
                       " not found): start one with scaleml start --head, or give --address");
    }
    if (!token.empty()) file->token = token;
    return *file;
  }
  ClusterFile resolved;
  resolved.address = address;
  resolved.token = token;
  if (token.empty()) {
    if (file && file->address == address) {
      resolved = *file;
    } else {
      throw InputError("--token is required to join ", address,
                       " (printed by scaleml start --head)");
    }
  }
  return resolved;
}

}  // namespace scaleml::tasks
