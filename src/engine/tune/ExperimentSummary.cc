#include "engine/tune/ExperimentSummary.h"

#include "core/Log.h"

namespace scaleml::tune {

ExperimentSummary::ExperimentSummary(const TuneOptions& options, std::string name, std::string mode)
    : options_(options), name_(std::move(name)), mode_(std::move(mode)) {}

TuneResult ExperimentSummary::Make(const std::vector<Trial>& trials,
                                   const SummaryTimes& times) const {
  const bool maximize = mode_ == "max";
  TuneResult result;
  result.trials = trials;
  int finished = 0, stopped_early = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (trials[i].status != TrialStatus::kTerminated) continue;
    ++finished;
    stopped_early += trials[i].stopped_early ? 1 : 0;
    const double metric = trials[i].metric;
    if (result.best < 0 ||
        (maximize ? metric > trials[result.best].metric : metric < trials[result.best].metric)) {
      result.best = static_cast<int>(i);
    }
  }
  const SchedulerKind kind = options_.scheduler.kind;
  nlohmann::json summary = {
      {"experiment", name_},
      {"algo", options_.algo},
      {"data", options_.data_path},
      {"metric", options_.metric},
      {"mode", mode_},
      {"num_samples", options_.num_samples},
      {"cpus_per_trial", options_.cpus_per_trial},
      {"scheduler", kind == SchedulerKind::kAsha     ? "asha"
                    : kind == SchedulerKind::kMedian ? "median"
                                                     : "fifo"},
      {"load_s", times.load_s},
      {"put_s", times.put_s},
      {"total_s", times.total_s},
      {"scheduler_s", times.scheduler_s},
      {"scheduler_ms_per_trial", finished > 0 ? 1000.0 * times.scheduler_s / finished : 0.0},
      {"driver_s", times.driver_s},
      {"driver_ms_per_trial", finished > 0 ? 1000.0 * times.driver_s / finished : 0.0},
      {"stopped_early", stopped_early},
      {"time_budget_spent", times.budget_spent},
      {"local_cluster", times.local_cluster},
      {"trials", nlohmann::json::array()}};
  for (const auto& t : trials) summary["trials"].push_back(t.ToJson());
  if (result.best >= 0) {
    const Trial& best = trials[result.best];
    summary["best"] = {{"trial_id", best.trial_id},
                       {"config", best.config},
                       {options_.metric, best.metric},
                       {"iterations", best.iteration}};
  }
  result.summary = std::move(summary);
  return result;
}

void ExperimentSummary::Save(const ExperimentStorage& storage, const TuneResult& result,
                             bool best_model) const {
  storage.SaveSummary(result.summary, result.trials);
  if (!best_model || result.best < 0 || storage.dir().empty()) return;
  if (!storage.SaveBestModel(result.trials[result.best].trial_id)) {
    LogWarning("tune: the best trial ", result.trials[result.best].trial_id,
               " left no model; best.model not written");
  }
}

}  // namespace scaleml::tune
