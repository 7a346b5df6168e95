// Where this process stands in a ddp group, read from the environment that `scaleml launch` and
// PyTorch's torchrun both set (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK,
// MASTER_ADDR, MASTER_PORT), plus scaleml's SCALEML_COMM_TIMEOUT_S.
// Thread-safety: a plain value; FromEnvironment reads the environment (not thread-safe against
// setenv).
#pragma once

#include <string>

namespace scaleml {

inline constexpr double kDefaultCommTimeoutSeconds = 300.0;

struct RankEnvironment {
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

  // Throws an InputError that names the missing or bad variable and says to run under
  // `scaleml launch` or torchrun.
  static RankEnvironment FromEnvironment();
};

}  // namespace scaleml
