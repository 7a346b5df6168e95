// Where this process stands in a ddp group, read from the environment its launcher set:
// - `scaleml launch` and PyTorch's torchrun: RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
//   GROUP_RANK, MASTER_ADDR, MASTER_PORT;
// - Open MPI's mpirun: OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE, with MASTER_ADDR
//   and MASTER_PORT exported to the ranks (mpirun -x) or given as overrides (--master-addr/port);
// - Slurm's srun: SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, SLURM_NODEID; the master is the
//   first host of SLURM_STEP_NODELIST (or SLURM_JOB_NODELIST) unless MASTER_ADDR says otherwise,
//   the port MASTER_PORT, the override, or 15000 + SLURM_JOB_ID % 10000 (below Linux's ephemeral
//   range, and the same for every task of the job).
// They are tried in that order: torchrun's variables win (torchrun under srun), then MPI's
// (mpirun inside a Slurm allocation also sets SLURM_*), then Slurm's. Plus scaleml's
// SCALEML_COMM_TIMEOUT_S.
// Thread-safety: a plain value; FromEnvironment reads the environment (not thread-safe against
// setenv).
#pragma once

#include <string>

namespace scaleml {

inline constexpr double kDefaultCommTimeoutSeconds = 300.0;

// Which launcher's variables placed this rank.
enum class RankLauncher { kTorchrun, kOpenMpi, kSlurm };
const char* RankLauncherName(RankLauncher launcher);

// Values from the command line that stand in for MASTER_ADDR / MASTER_PORT (empty / 0: none).
struct RankOverrides {
  std::string master_addr;
  int master_port = 0;
};

struct RankEnvironment {
  RankLauncher launcher = RankLauncher::kTorchrun;
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  int group_rank = 0;  // the node's index
  std::string master_addr;
  int master_port = 0;
  double comm_timeout_s = kDefaultCommTimeoutSeconds;
  // torchrun hosts the rendezvous store itself and says so with TORCHELASTIC_USE_AGENT_STORE;
  // under `scaleml launch` rank 0 hosts it.
  bool agent_store = false;
  // Which start of the group this is: torchrun's TORCHELASTIC_RESTART_COUNT (0 otherwise). Its
  // store outlives a failed attempt, so every key a group sets is under its attempt.
  int attempt = 0;
  // The group's token, from SCALEML_TOKEN or the file SCALEML_TOKEN_FILE names (which must not
  // be readable by others); empty when neither is set: the store then answers anyone, as
  // torchrun's does. Never logged.
  std::string token;

  // Throws an InputError that names the missing or bad variable and says how to run.
  static RankEnvironment FromEnvironment(const RankOverrides& overrides = {});
};

// The first host of a Slurm hostlist ("node[07-09,12],gpu1" -> "node07"); an InputError for an
// expression it cannot read.
std::string FirstSlurmHost(const std::string& hostlist);

}  // namespace scaleml
