// `scaleml launch`: starts one node's ranks as torchrun does, each with torchrun's environment
// (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, and
// OMP_NUM_THREADS = cores / ranks when unset), forwards SIGINT/SIGTERM/SIGHUP to them, and when
// one fails stops the others (SIGTERM, then SIGKILL after a grace period). Every rank runs in
// its own process group, which is killed at the end so that nothing it started outlives it, and
// dies with the launcher (PR_SET_PDEATHSIG) if the launcher itself is killed.
// Thread-safety: RunLocalRanks changes the signal mask of the calling thread and waits for
// its own children; call it from a single-threaded process (the CLI) or one thread at a time.
#pragma once

#include <string>
#include <vector>

namespace scaleml {

struct LaunchOptions {
  int nnodes = 1;
  int node_rank = 0;
  int nproc_per_node = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  double comm_timeout_s = 0.0;  // > 0: exported as SCALEML_COMM_TIMEOUT_S
  double stop_grace_s = 5.0;    // between SIGTERM and SIGKILL when stopping ranks
  // The group's token file, exported to the ranks as SCALEML_TOKEN_FILE (its path, not its
  // contents); empty: the ranks inherit SCALEML_TOKEN, if any.
  std::string token_file;
  std::vector<std::string> command;
};

struct LaunchOutcome {
  int exit_code =
      0;  // 0 when every rank succeeded; 1 when one failed; 128 + signal when interrupted
  std::string message;  // which rank failed and why; empty on success
};

// Throws an InputError for bad options; otherwise runs the ranks to the end.
LaunchOutcome RunLocalRanks(const LaunchOptions& options);

}  // namespace scaleml
