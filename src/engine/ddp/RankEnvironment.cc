#include "engine/ddp/RankEnvironment.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "core/Error.h"
#include "core/TokenFile.h"

namespace scaleml {
namespace {

constexpr const char* kHint = "run under scaleml launch or torchrun";

const char* Get(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

long ParseInteger(const char* name, const char* text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
    throw InputError("ddp engine: environment variable ", name, "='", text,
                     "' is not an integer in [", min, ", ", max, "] (", kHint, ")");
  }
  return value;
}

int RequiredInteger(const char* name, long min, long max) {
  const char* text = Get(name);
  if (text == nullptr) {
    throw InputError("ddp engine: environment variable ", name, " is not set (", kHint, ")");
  }
  return static_cast<int>(ParseInteger(name, text, min, max));
}

int OptionalInteger(const char* name, long min, long max, int fallback) {
  const char* text = Get(name);
  return text == nullptr ? fallback : static_cast<int>(ParseInteger(name, text, min, max));
}

}  // namespace

const char* RankLauncherName(RankLauncher launcher) {
  switch (launcher) {
    case RankLauncher::kTorchrun:
      return "torchrun";
    case RankLauncher::kOpenMpi:
      return "mpirun";
    case RankLauncher::kSlurm:
      return "srun";
  }
  return "?";
}

std::string FirstSlurmHost(const std::string& hostlist) {
  // The first host ends at the first comma outside brackets.
  const std::size_t bracket = hostlist.find('[');
  const std::size_t comma = hostlist.find(',');
  if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket)) {
    std::string host = hostlist.substr(0, comma);
    if (host.empty()) throw InputError("ddp engine: empty Slurm node list '", hostlist, "'");
    return host;
  }
  const std::size_t close = hostlist.find(']', bracket);
  if (close == std::string::npos) {
    throw InputError("ddp engine: Slurm node list '", hostlist, "' has an unclosed '['");
  }
  // "[07-09,12]": the first range's first number, zero padding kept.
  std::size_t first_end = bracket + 1;
  while (first_end < close && std::isdigit(static_cast<unsigned char>(hostlist[first_end]))) {
    ++first_end;
  }
  if (first_end == bracket + 1) {
    throw InputError("ddp engine: Slurm node list '", hostlist, "' has no number after '['");
  }
  std::string suffix = hostlist.substr(close + 1);
  suffix = suffix.substr(0, suffix.find(','));
  return hostlist.substr(0, bracket) + hostlist.substr(bracket + 1, first_end - bracket - 1) +
         suffix;
}

namespace {

constexpr long kMaxRanks = 1 << 20;

// MASTER_ADDR / MASTER_PORT, the command line's overrides, or the launcher's own fallback.
void ReadMaster(RankEnvironment& env, const RankOverrides& overrides, const std::string& addr_hint,
                int port_hint, const char* hint) {
  if (const char* addr = Get("MASTER_ADDR")) {
    env.master_addr = addr;
  } else if (!overrides.master_addr.empty()) {
    env.master_addr = overrides.master_addr;
  } else if (!addr_hint.empty()) {
    env.master_addr = addr_hint;
  } else {
    throw InputError("ddp engine: environment variable MASTER_ADDR is not set (", hint, ")");
  }
  if (Get("MASTER_PORT") != nullptr) {
    env.master_port = RequiredInteger("MASTER_PORT", 1, 65535);
  } else if (overrides.master_port > 0) {
    env.master_port = overrides.master_port;
  } else if (port_hint > 0) {
    env.master_port = port_hint;
  } else {
    throw InputError("ddp engine: environment variable MASTER_PORT is not set (", hint, ")");
  }
}

void ReadTorchrun(RankEnvironment& env, const RankOverrides& overrides) {
  env.launcher = RankLauncher::kTorchrun;
  env.world_size = RequiredInteger("WORLD_SIZE", 1, kMaxRanks);
  env.rank = RequiredInteger("RANK", 0, env.world_size - 1);
  ReadMaster(env, overrides, "", 0, kHint);
  env.local_world_size = OptionalInteger("LOCAL_WORLD_SIZE", 1, env.world_size, 1);
  env.local_rank = OptionalInteger("LOCAL_RANK", 0, env.local_world_size - 1, 0);
  env.group_rank = OptionalInteger("GROUP_RANK", 0, kMaxRanks, 0);
  if (const char* agent = Get("TORCHELASTIC_USE_AGENT_STORE")) {
    env.agent_store = std::string(agent) == "True" || std::string(agent) == "1";
  }
  env.attempt = OptionalInteger("TORCHELASTIC_RESTART_COUNT", 0, 1 << 30, 0);
}

void ReadOpenMpi(RankEnvironment& env, const RankOverrides& overrides) {
  constexpr const char* kMpiHint =
      "under mpirun, export it with -x MASTER_ADDR=HOST -x MASTER_PORT=PORT or pass "
      "--master-addr/--master-port";
  env.launcher = RankLauncher::kOpenMpi;
  env.world_size = RequiredInteger("OMPI_COMM_WORLD_SIZE", 1, kMaxRanks);
  env.rank = RequiredInteger("OMPI_COMM_WORLD_RANK", 0, env.world_size - 1);
  env.local_world_size = OptionalInteger("OMPI_COMM_WORLD_LOCAL_SIZE", 1, env.world_size, 1);
  env.local_rank = OptionalInteger("OMPI_COMM_WORLD_LOCAL_RANK", 0, env.local_world_size - 1, 0);
  // Open MPI numbers ranks by slot, so a node's ranks are consecutive.
  env.group_rank = env.rank / env.local_world_size;
  ReadMaster(env, overrides, "", 0, kMpiHint);
}

// The number of tasks on node `node` from SLURM_STEP_TASKS_PER_NODE ("2(x3),1": two on each of
// three nodes, then one); 0 when unknown.
int SlurmTasksOnNode(int node) {
  const char* text = Get("SLURM_STEP_TASKS_PER_NODE");
  if (text == nullptr) text = Get("SLURM_TASKS_PER_NODE");
  if (text == nullptr) return 0;
  const std::string list = text;
  std::size_t at = 0;
  int first_node = 0;
  while (at < list.size()) {
    const int tasks = std::atoi(list.c_str() + at);
    int repeat = 1;
    const std::size_t entry_end = std::min(list.find(',', at), list.size());
    const std::size_t times = list.find("(x", at);
    if (times != std::string::npos && times < entry_end)
      repeat = std::atoi(list.c_str() + times + 2);
    if (node < first_node + std::max(repeat, 1)) return std::max(tasks, 0);
    first_node += std::max(repeat, 1);
    at = entry_end + 1;
  }
  return 0;
}

void ReadSlurm(RankEnvironment& env, const RankOverrides& overrides) {
  constexpr const char* kSlurmHint =
      "under srun the master is the step's first node; set MASTER_ADDR or --master-addr to choose "
      "another";
  env.launcher = RankLauncher::kSlurm;
  const char* ntasks = Get("SLURM_NTASKS") != nullptr ? "SLURM_NTASKS" : "SLURM_NPROCS";
  env.world_size = RequiredInteger(ntasks, 1, kMaxRanks);
  env.rank = RequiredInteger("SLURM_PROCID", 0, env.world_size - 1);
  env.local_rank = OptionalInteger("SLURM_LOCALID", 0, kMaxRanks, 0);
  env.local_world_size = std::max(env.local_rank + 1, SlurmTasksOnNode(env.group_rank));
  env.group_rank = OptionalInteger("SLURM_NODEID", 0, kMaxRanks, 0);
  std::string first_host;
  if (const char* nodes = Get("SLURM_STEP_NODELIST")) {
    first_host = FirstSlurmHost(nodes);
  } else if (const char* job_nodes = Get("SLURM_JOB_NODELIST")) {
    first_host = FirstSlurmHost(job_nodes);
  }
  int port = 0;
  if (Get("SLURM_JOB_ID") != nullptr) {
    port = 15000 + RequiredInteger("SLURM_JOB_ID", 0, 2147483647L) % 10000;
  }
  ReadMaster(env, overrides, first_host, port, kSlurmHint);
}

std::string ReadToken() {
  if (const char* token = Get("SCALEML_TOKEN")) return token;
  const char* path = Get("SCALEML_TOKEN_FILE");
  return path != nullptr ? ReadTokenFile(path) : std::string();
}

}  // namespace

RankEnvironment RankEnvironment::FromEnvironment(const RankOverrides& overrides) {
  RankEnvironment env;
  if (Get("RANK") != nullptr || Get("WORLD_SIZE") != nullptr) {
    ReadTorchrun(env, overrides);
  } else if (Get("OMPI_COMM_WORLD_RANK") != nullptr) {
    ReadOpenMpi(env, overrides);
  } else if (Get("SLURM_PROCID") != nullptr) {
    ReadSlurm(env, overrides);
  } else {
    throw InputError(
        "ddp engine: no rank in the environment (RANK, OMPI_COMM_WORLD_RANK or SLURM_PROCID); run "
        "under scaleml launch, torchrun, mpirun or srun");
  }
  env.token = ReadToken();
  if (const char* timeout = Get("SCALEML_COMM_TIMEOUT_S")) {
    char* end = nullptr;
    double seconds = std::strtod(timeout, &end);
    if (end == timeout || *end != '\0' || !(seconds > 0) || seconds > 1e6) {
      throw InputError("ddp engine: SCALEML_COMM_TIMEOUT_S='", timeout,
                       "' is not a positive number of seconds");
    }
    env.comm_timeout_s = seconds;
  }
  return env;
}

}  // namespace scaleml
