#include "engine/tune/TasksEngine.h"

#include "core/Error.h"
#include "core/Threads.h"
#include "engine/TrainReportFile.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::tune {

TrainReport TasksEngine::Train(const TrainRequest& request) {
  if (!request.test_data_path.empty()) {
    throw InputError(
        "train: --test-data is not available with --engine tasks; use --engine local or ddp");
  }
  TuneOptions options;
  options.algo = request.algo;
  options.data_path = request.data_path;
  for (const auto& [key, value] : request.params) options.params.push_back(key + "=" + value);
  options.num_samples = 1;
  options.cpus_per_trial = request.threads > 0 ? request.threads : HardwareThreads();
  options.test_size = request.split.test_size;
  options.split_seed = request.split.seed;
  options.cv_folds = request.cv_folds;
  options.load_threads = request.threads;
  options.csv = request.csv;
  options.quiet = true;
  options.name = "train";
  options.report_rounds = false;  // trains on every training row, as the other engines do
  TuneResult result = TuneRunner::Run(options);
  const Trial& trial = result.trials.at(0);
  if (trial.status != TrialStatus::kTerminated) {
    throw Failure("train --engine tasks: ", trial.error);
  }
  TrainReport report =
      ParseTrainReportRecord(trial.result, "train --engine tasks: trial " + trial.trial_id);
  report.engine = EngineKind::kTasks;
  TasksPlacement placement;
  placement.node = trial.node;
  placement.attempts = trial.attempts;
  placement.driver_load_s = result.summary.value("load_s", 0.0);
  placement.put_s = result.summary.value("put_s", 0.0);
  placement.driver_total_s = result.summary.value("total_s", 0.0);
  report.tasks = placement;
  return report;
}

}  // namespace scaleml::tune
