// The tasks engine for one run (`scaleml train --engine tasks`): one trial of the request's
// config on the tasks engine (the cluster at --address auto, or a local one for the run, as
// TuneRunner starts it), returning the trial's report as RunTrainJob made it, plus the node it
// ran on and the driver's load and put times (report.tasks).
// Thread-safety: call from a single-threaded process (a local cluster is forked).
#pragma once

#include "engine/Engine.h"

namespace scaleml::tune {

class TasksEngine final : public Engine {
 public:
  EngineKind kind() const override { return EngineKind::kTasks; }
  // An InputError for --test-data (a trial gets one dataset object); a Failure when the trial
  // failed.
  TrainReport Train(const TrainRequest& request) override;
};

}  // namespace scaleml::tune
