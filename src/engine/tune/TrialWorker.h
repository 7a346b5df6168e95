// The worker side of a tune trial (the train_trial task with args["report"]): holds out a
// validation part of the trial's training rows (a seeded hash of each row's global id, the split
// seed mixed with a constant, so every engine holds out the same rows), attaches a TrialMonitor
// to the model so that each report reaches the driver, continues from the checkpoint the driver
// handed over (set_warm_start), and stores the final model as the trial's last checkpoint.
//
// args["report"]: {"channel": "RUN/TRIAL_ID", "metric": "accuracy", "valid_fraction": 0.1,
// "checkpoint_freq": 0, "keep_model": true} (keep_model: send the final model to the driver).
// Not under --cv (every fold trains its own model): the trial then runs as before. With
// valid_fraction 0 nothing is held out and nothing reported; only the final model is kept.
// Thread-safety: the task's thread.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "data/Dataset.h"
#include "engine/TrainJob.h"
#include "engine/tasks/TaskRegistry.h"
#include "engine/tune/TrialMonitor.h"

namespace scaleml::tune {

class TrialWorker {
 public:
  // Prepares `request` (validation hold-out, monitor, checkpoint to continue from, final model
  // file). `data` must outlive the trial.
  TrialWorker(const tasks::TaskContext& context, const nlohmann::json& report_args,
              const Dataset& data, TrainRequest& request, std::unique_ptr<TrialOutbox> outbox);
  ~TrialWorker();
  // After RunTrainJob: stores the final model and adds the trial's rounds to `result`
  // ("iterations", "stopped_early", "validation_metric", "resumed_from").
  void Finish(nlohmann::json& result);

 private:
  std::unique_ptr<TrialOutbox> outbox_;
  Dataset validation_;
  std::unique_ptr<TrialMonitor> monitor_;
  std::unique_ptr<Classifier> resume_model_;
  int resumed_from_ = 0;
  std::string final_model_path_;
};

// A connection to the task's control store for the trial's channel (TrialChannel.h).
std::unique_ptr<TrialOutbox> ConnectOutbox(const tasks::TaskContext& context,
                                           const std::string& channel);

// The validation rows' split: the fraction held out of the training rows.
SplitOptions ValidationSplit(double valid_fraction, std::uint64_t split_seed);

}  // namespace scaleml::tune
