// One interface for the ways a training run is executed: LocalEngine (this process),
// TasksEngine (one trial on the tasks engine, engine/tune/TasksEngine.h) and DdpEngine (one rank
// of a process group, engine/ddp/DdpEngine.h). Each runs a TrainRequest and returns one
// TrainReport, which the CLI prints and writes and tune and bench read; MakeEngine
// (engine/factory/MakeEngine.h) picks one from an EngineKind parsed at the CLI edge.
// Errors are thrown as the rest of the engine throws them: InputError for a request that cannot
// run (a flag the engine does not take, a bad file), Failure for a run that failed.
// Thread-safety: an Engine runs one request at a time.
#pragma once

#include "engine/EngineKind.h"
#include "engine/TrainJob.h"
#include "engine/TrainReport.h"

namespace scaleml {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual EngineKind kind() const = 0;
  // Runs the request; the report's `engine` is kind(). Under ddp every rank returns a report and
  // rank 0's (report.rank == 0) is the one to print.
  virtual TrainReport Train(const TrainRequest& request) = 0;
};

}  // namespace scaleml
