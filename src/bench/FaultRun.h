// A fault run of `scaleml bench --suite promises`: the run's command starts as in the paper suite,
// a process is killed (SIGKILL) once a fixed fraction of the run's expected time has passed, and
// the engine's answer is timed:
// - ddp (one model, 3 ranks): rank 1 is killed; detected = until the launcher and every rank
//   have exited, the launcher naming the lost rank (the group failed: no restart, the work so far
//   is lost);
// - tasks (a tune of N trials on a local cluster): a worker process running a trial is killed;
//   detected = until the trial's retry started (its record: attempts 2), recovered = until the
//   experiment ended with every trial finished; lost = the seconds the killed attempt had run.
// The result is the "fault" object of the run's record (PromisesSection.h renders it).
// Thread-safety: one fault run at a time per process (it forks and waits).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

struct FaultPlan {
  std::string engine;             // "ddp" or "tasks"
  std::string algo;               // recorded
  std::vector<std::string> argv;  // the run's command (BenchRunner::CommandOf)
  std::string log_stem;           // LOG.out / LOG.err
  std::string storage;            // tasks: the experiment's folder (summary.json)
  double kill_after_s = 0;        // from the start of the command
  double timeout_s = 0;           // the whole fault run
};

// Runs the plan; fills record["fault"] and sets record["status"] ("ok" when the engine answered
// as it promises: ddp failed fast naming the rank, tasks finished every trial) and "error".
void RunFault(const FaultPlan& plan, nlohmann::json& record);

// The fraction of the expected run time after which the process is killed.
inline constexpr double kFaultFraction = 0.5;

}  // namespace scaleml::bench
