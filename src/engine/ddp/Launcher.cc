#include "engine/ddp/Launcher.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "core/Subprocess.h"

extern char** environ;

namespace scaleml {
namespace {

struct LocalRank {
  int rank = 0;
  int local_rank = 0;
  Subprocess process;  // leads a process group of its own
};

// The group's state for the dashboard (docs/dashboard.md): $SCALEML_HOME/ddp/launch-PID.json,
// rewritten atomically at every change of a rank. Best effort: a launch never fails because the
// file cannot be written, and nothing is written into a home that is not private to this user.
class LaunchStateFile {
 public:
  explicit LaunchStateFile(const LaunchOptions& options) {
    const char* env = std::getenv("SCALEML_HOME");
    const std::string home = env != nullptr && *env != '\0' ? env : "/tmp/scaleml";
    mkdir(home.c_str(), 0700);
    struct stat st {};
    if (lstat(home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
      return;
    }
    const std::string dir = home + "/ddp";
    mkdir(dir.c_str(), 0700);
    Prune(dir);
    path_ = StrCat(dir, "/launch-", getpid(), ".json");
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    base_ = {{"launcher_pid", getpid()},
             {"host", host},
             {"started",
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count()},
             {"nnodes", options.nnodes},
             {"node_rank", options.node_rank},
             {"nproc_per_node", options.nproc_per_node},
             {"master", StrCat(options.master_addr, ":", options.master_port)},
             {"command", options.command}};
  }

  void Write(const std::vector<LocalRank>& ranks, const std::string& state, int failed_rank,
             const std::string& message) {
    if (path_.empty()) return;
    nlohmann::json j = base_;
    j["state"] = state;
    j["failed_rank"] = failed_rank >= 0 ? nlohmann::json(failed_rank) : nlohmann::json(nullptr);
    j["message"] = message;
    j["ranks"] = nlohmann::json::array();
    for (const auto& r : ranks) {
      std::string rank_state = "starting";
      if (r.process.running()) {
        rank_state = "running";
      } else if (const auto& ended = r.process.exit_status()) {
        rank_state = ended->success() ? "succeeded" : r.rank == failed_rank ? "failed" : "stopped";
      }
      j["ranks"].push_back({{"rank", r.rank},
                            {"local_rank", r.local_rank},
                            {"pid", r.process.pid()},
                            {"state", rank_state}});
    }
    try {
      WriteFileAtomically(path_, j.dump() + "\n");
    } catch (const Error&) {
      path_.clear();  // not writable: stop trying
    }
  }

 private:
  // Keeps the newest 50 files: one is left per launch.
  static void Prune(const std::string& dir) {
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json")
        files.emplace_back(it->last_write_time(ec), it->path());
    }
    if (files.size() < 50) return;
    std::sort(files.begin(), files.end());
    for (std::size_t i = 0; i + 49 < files.size(); ++i)
      std::filesystem::remove(files[i].second, ec);
  }

  std::string path_;
  nlohmann::json base_;
};

void Validate(const LaunchOptions& o) {
  if (o.nnodes < 1 || o.nnodes > 65536)
    throw InputError("launch: --nnodes ", o.nnodes, " must be in [1, 65536]");
  if (o.node_rank < 0 || o.node_rank >= o.nnodes) {
    throw InputError("launch: --node-rank ", o.node_rank, " must be in [0, ", o.nnodes - 1, "]");
  }
  if (o.nproc_per_node < 1 || o.nproc_per_node > 1024) {
    throw InputError("launch: --nproc-per-node ", o.nproc_per_node, " must be in [1, 1024]");
  }
  if (o.master_addr.empty()) throw InputError("launch: --master-addr is empty");
  if (o.master_port < 1 || o.master_port > 65535) {
    throw InputError("launch: --master-port ", o.master_port, " is not a TCP port (1-65535)");
  }
  if (o.comm_timeout_s < 0) throw InputError("launch: --timeout must be positive");
  if (o.stop_grace_s < 0) throw InputError("launch: --stop-grace must not be negative");
  if (o.command.empty() || o.command[0].empty()) {
    throw InputError("launch: no command to run (put it after --)");
  }
}

// The whole environment of one rank, prepared before fork so the child only execs.
std::vector<std::string> RankEnvironmentOf(const LaunchOptions& o, int local_rank) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    std::size_t eq = text.find('=');
    if (eq != std::string::npos) vars[text.substr(0, eq)] = text.substr(eq + 1);
  }
  const int world = o.nnodes * o.nproc_per_node;
  vars["RANK"] = std::to_string(o.node_rank * o.nproc_per_node + local_rank);
  vars["LOCAL_RANK"] = std::to_string(local_rank);
  vars["WORLD_SIZE"] = std::to_string(world);
  vars["LOCAL_WORLD_SIZE"] = std::to_string(o.nproc_per_node);
  vars["GROUP_RANK"] = std::to_string(o.node_rank);
  vars["ROLE_RANK"] = vars["RANK"];
  vars["ROLE_WORLD_SIZE"] = vars["WORLD_SIZE"];
  vars["MASTER_ADDR"] = o.master_addr;
  vars["MASTER_PORT"] = std::to_string(o.master_port);
  if (o.comm_timeout_s > 0) vars["SCALEML_COMM_TIMEOUT_S"] = StrCat(o.comm_timeout_s);
  if (!o.token_file.empty()) {
    vars.erase("SCALEML_TOKEN");
    vars["SCALEML_TOKEN_FILE"] = o.token_file;
  }
  if (vars.count("OMP_NUM_THREADS") == 0) {
    // As torchrun, but sized to the machine instead of 1: ranks share the node's cores.
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    vars["OMP_NUM_THREADS"] = std::to_string(std::max(1u, cores / o.nproc_per_node));
  }
  std::vector<std::string> out;
  for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
  return out;
}

// Starts one rank; throws a Failure when it could not be started (fork or exec failed).
Subprocess StartRank(const LaunchOptions& o, std::vector<std::string> env_strings,
                     const sigset_t& original_mask) {
  SpawnOptions spawn;
  spawn.argv = o.command;
  spawn.environment = std::move(env_strings);
  spawn.die_with_parent = true;
  spawn.signal_mask = original_mask;
  try {
    return Subprocess::Spawn(spawn);
  } catch (const Error& e) {
    throw Failure("launch: ", e.what());
  }
}

void SignalRunning(std::vector<LocalRank>& ranks, int sig) {
  for (auto& r : ranks) {
    if (r.process.running()) r.process.Signal(sig);
  }
}

}  // namespace

LaunchOutcome RunLocalRanks(const LaunchOptions& options) {
  Validate(options);
  sigset_t handled, original;
  sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, &original);
  // Orphans of a rank's children come back to us, so the final sweep of each group reaps them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  std::vector<LocalRank> ranks(static_cast<std::size_t>(options.nproc_per_node));
  LaunchOutcome outcome;
  bool stopping = false;
  bool killed = false;
  int interrupted_by = 0;
  Stopwatch since_stop;
  auto begin_stop = [&](int sig) {
    stopping = true;
    since_stop.Restart();
    SignalRunning(ranks, sig);
  };

  for (int local = 0; local < options.nproc_per_node; ++local) {
    LocalRank& r = ranks[local];
    r.local_rank = local;
    r.rank = options.node_rank * options.nproc_per_node + local;
    try {
      r.process = StartRank(options, RankEnvironmentOf(options, local), original);
      LogInfo("launch: rank ", r.rank, " (local rank ", local, ") started as pid ",
              r.process.pid());
    } catch (const Error& e) {
      outcome.exit_code = 1;
      outcome.message =
          StrCat("rank ", r.rank, " (local rank ", local, ") did not start: ", e.what());
      begin_stop(SIGTERM);
      break;
    }
  }

  LaunchStateFile state_file(options);
  int failed_rank = -1;
  state_file.Write(ranks, outcome.exit_code == 0 ? "running" : "failed", failed_rank,
                   outcome.message);

  auto any_running = [&] {
    return std::any_of(ranks.begin(), ranks.end(),
                       [](const LocalRank& r) { return r.process.running(); });
  };
  while (any_running()) {
    timespec wait{0, 200 * 1000 * 1000};
    siginfo_t info;
    int sig = sigtimedwait(&handled, &info, &wait);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      if (!stopping) {
        interrupted_by = sig;
        LogWarning("launch: got ", SignalName(sig), ", passing it to the local ranks");
        begin_stop(sig);
      } else if (interrupted_by != 0 && !killed) {
        SignalRunning(ranks, SIGKILL);  // asked twice: stop waiting
        killed = true;
      }
    }
    for (auto& r : ranks) {
      if (!r.process.running()) continue;
      const std::optional<ExitStatus> ended = r.process.Poll();
      if (!ended) continue;
      if (!ended->success() && !stopping) failed_rank = r.rank;
      if (!ended->success() && !stopping) {
        int others = static_cast<int>(std::count_if(
            ranks.begin(), ranks.end(), [](const LocalRank& x) { return x.process.running(); }));
        outcome.exit_code = 1;
        outcome.message = StrCat("rank ", r.rank, " (local rank ", r.local_rank, ", pid ",
                                 r.process.pid(), ") ", ended->Describe());
        if (others > 0) {
          outcome.message +=
              StrCat("; stopped the other ", others, " local rank", others == 1 ? "" : "s");
        }
        begin_stop(SIGTERM);
      }
      state_file.Write(ranks,
                       failed_rank >= 0 ? "failing"
                       : stopping       ? "stopping"
                                        : "running",
                       failed_rank, outcome.message);
    }
    if (stopping && !killed && since_stop.Seconds() >= options.stop_grace_s) {
      SignalRunning(ranks, SIGKILL);
      killed = true;
    }
  }

  // Whatever the ranks left in their groups goes too, and orphans handed to us are reaped.
  for (auto& r : ranks) {
    const pid_t group = r.process.pid();
    if (group <= 0) continue;
    r.process.Signal(SIGKILL);
    Stopwatch sweep;
    while (sweep.Seconds() < 2.0) {
      pid_t got = waitpid(-group, nullptr, WNOHANG);
      if (got < 0) break;  // ECHILD: nothing of that group is ours any more
      if (got == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  // Signals that arrived while blocked are dropped, not delivered when the mask is restored.
  timespec zero{0, 0};
  while (sigtimedwait(&handled, nullptr, &zero) > 0) {
  }
  sigprocmask(SIG_SETMASK, &original, nullptr);

  if (interrupted_by != 0 && outcome.exit_code == 0) {
    outcome.exit_code = 128 + interrupted_by;
    outcome.message =
        StrCat("interrupted by ", SignalName(interrupted_by), "; the local ranks were stopped");
  }
  state_file.Write(ranks,
                   outcome.exit_code == 0                   ? "succeeded"
                   : interrupted_by != 0 && failed_rank < 0 ? "interrupted"
                                                            : "failed",
                   failed_rank, outcome.message);
  return outcome;
}

}  // namespace scaleml
