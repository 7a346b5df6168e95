#include "engine/tune/TrialRunner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/Error.h"
#include "core/Log.h"
#include "engine/tasks/SpillPolicy.h"
#include "engine/tune/SearchSpace.h"

namespace scaleml::tune {
namespace {

// A random id for this run's channels, so two experiments on one cluster never share keys.
std::string NewRunId() {
  std::random_device device;
  char text[17];
  std::snprintf(text, sizeof(text), "%08x%08x", device(), device());
  return text;
}

}  // namespace

TrialRunner::TrialRunner(tasks::Driver& driver, tasks::ObjectRef data, const TuneOptions& options,
                         ExperimentPlan& plan, const ExperimentStorage& storage,
                         Scheduler& scheduler, TrialTable& table, bool local_cluster)
    : driver_(driver),
      data_(std::move(data)),
      options_(options),
      plan_(plan),
      storage_(storage),
      scheduler_(scheduler),
      table_(table),
      inbox_(driver.control().redis()),
      run_id_(NewRunId()),
      local_cluster_(local_cluster) {}

int TrialRunner::Capacity() {
  if (options_.max_concurrent_trials > 0) return options_.max_concurrent_trials;
  int cpus = 0;
  for (const auto& node : driver_.Nodes()) {
    if (node.alive) cpus += node.info.cpus;
  }
  return std::max(1, cpus / std::max(1, options_.cpus_per_trial));
}

void TrialRunner::Submit(std::size_t index) {
  Stopwatch clock;
  Trial& trial = plan_.trials()[index];
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, value] : trial.config.items()) params[key] = ParamText(value);
  nlohmann::json args = {{"algo", options_.algo},           {"params", params},
                         {"test_size", options_.test_size}, {"seed", options_.split_seed},
                         {"cv_folds", options_.cv_folds},   {"data_path", options_.data_path}};
  Active active;
  active.index = index;
  active.channel = run_id_ + "/" + trial.trial_id;
  if (options_.report_rounds) {
    args["report"] = {{"channel", active.channel},
                      {"metric", options_.metric},
                      {"valid_fraction", options_.valid_fraction},
                      {"checkpoint_freq", options_.checkpoint_freq},
                      {"keep_model", !storage_.dir().empty()}};
  }
  // A resumed trial continues from its checkpoint; its curve keeps the rounds up to it.
  int resume_from = 0;
  if (options_.resume) {
    if (auto checkpoint = storage_.LoadCheckpoint(trial.trial_id)) {
      inbox_.SetResumeModel(active.channel, {checkpoint->first, checkpoint->second});
      resume_from = checkpoint->first;
      active.written_checkpoint = resume_from;
    }
  }
  storage_.TruncateResults(trial.trial_id, resume_from + 1);
  active.last_written = resume_from;
  trial.iteration = resume_from;
  trial.last_result.reset();
  trial.stopped_early = false;
  active.ref = driver_.Submit("train_trial", args, {data_}, options_.cpus_per_trial,
                              options_.max_failures, options_.memory_per_trial);
  trial.task_id = active.ref.id;
  trial.status = TrialStatus::kPending;
  active_[active.ref.id] = std::move(active);
  overhead_s_ += clock.Seconds();
}

void TrialRunner::FollowStates() {
  int largest = 0;
  const auto nodes = driver_.Nodes();
  const tasks::NodeInfo* roomiest = nullptr;  // the live node with the most memory
  for (const auto& node : nodes) {
    node_names_[node.info.node_id] = node.info.name;
    if (!node.alive) continue;
    largest = std::max(largest, node.info.cpus);
    if (roomiest == nullptr || node.info.memory > roomiest->memory) roomiest = &node.info;
  }
  // A trial larger than every node's memory would wait for ever: fail with the numbers.
  if (roomiest != nullptr && options_.memory_per_trial > roomiest->memory) {
    throw Failure("tune: a trial needs ", tasks::Megabytes(options_.memory_per_trial),
                  " of memory (", memory_origin_, "); the live node with the most, ",
                  roomiest->name, ", has ", tasks::Megabytes(roomiest->memory),
                  " for tasks (give --memory-per-trial, or add a node with more memory)");
  }
  capacity_ = Capacity();
  for (auto& [task_id, active] : active_) {
    auto record = driver_.control().Task(task_id);
    if (!record) continue;
    Trial& trial = plan_.trials()[active.index];
    if (record->state == tasks::TaskState::kRunning) {
      const bool started_now = trial.status != TrialStatus::kRunning;
      trial.status = TrialStatus::kRunning;
      trial.node = node_names_[record->node];
      trial.started = record->started;
      // The dashboard shows running trials from the storage folder.
      if (started_now) storage_.SaveRunning(trial);
    } else if (record->state == tasks::TaskState::kPending) {
      trial.status = TrialStatus::kPending;
    }
  }
  if (largest < options_.cpus_per_trial) {
    if (starved_since_ < 0) starved_since_ = last_check_;
    // A node may still join; a local cluster will not grow.
    if (last_check_ - starved_since_ > (local_cluster_ ? 0 : 15)) {
      throw Failure("tune: no live node has ", options_.cpus_per_trial,
                    " CPUs for a trial (largest: ", largest, "); ", active_.size(),
                    " trials cannot run (start nodes with more --num-cpus, or give "
                    "tune --num-cpus for its local cluster)");
    }
  } else {
    starved_since_ = -1;
  }
}

void TrialRunner::ReadReports() {
  if (!options_.report_rounds || active_.empty()) return;
  std::vector<std::string> channels;
  std::vector<Active*> order;
  for (auto& [task_id, active] : active_) {
    channels.push_back(active.channel);
    order.push_back(&active);
  }
  auto reports = inbox_.Take(channels);
  Stopwatch clock;
  for (std::size_t i = 0; i < order.size(); ++i) HandleReports(*order[i], reports[i]);
  overhead_s_ += clock.Seconds();
}

void TrialRunner::HandleReports(Active& active, const std::vector<RoundReport>& reports) {
  if (reports.empty()) return;
  Trial& trial = plan_.trials()[active.index];
  std::vector<std::string> lines;
  bool checkpointed = false;
  for (const RoundReport& report : reports) {
    if (report.iteration <= active.last_written) {
      // The curve starts again (a retried attempt from an earlier checkpoint): drop what follows.
      if (!lines.empty()) storage_.AppendResults(trial.trial_id, lines);
      lines.clear();
      storage_.TruncateResults(trial.trial_id, report.iteration);
    }
    active.last_written = report.iteration;
    nlohmann::json line = {{"iteration", report.iteration},
                           {"metric", std::isfinite(report.metric) ? nlohmann::json(report.metric)
                                                                   : nlohmann::json(nullptr)},
                           {"metric_name", options_.metric},
                           {"time_s", report.time_s}};
    lines.push_back(line.dump());
    trial.iteration = report.iteration;
    if (std::isfinite(report.metric)) trial.last_result = report.metric;
    checkpointed = checkpointed || report.checkpoint > 0;
    if (active.decision != SchedulerDecision::kContinue) continue;
    Stopwatch decision_clock;
    active.decision = scheduler_.OnResult(trial.trial_id, report.iteration, report.metric);
    decisions_s_ += decision_clock.Seconds();
    if (active.decision != SchedulerDecision::kContinue) inbox_.Stop(active.channel);
  }
  storage_.AppendResults(trial.trial_id, lines);
  if (checkpointed) SaveCheckpoint(active);
}

void TrialRunner::SaveCheckpoint(Active& active) {
  if (storage_.dir().empty()) return;
  auto checkpoint = inbox_.TakeCheckpoint(active.channel);
  if (!checkpoint || checkpoint->iteration < active.written_checkpoint) return;
  // The worker may have stored a newer checkpoint than the reports read so far: keeping it now
  // would let a resume continue past rounds missing from result.jsonl. It is taken once its
  // round's report is written (the final one always is).
  if (checkpoint->iteration > active.last_written) return;
  storage_.SaveCheckpoint(plan_.trials()[active.index].trial_id, checkpoint->iteration,
                          checkpoint->model);
  active.written_checkpoint = checkpoint->iteration;
  // A retried attempt continues from here too.
  inbox_.SetResumeModel(active.channel, *checkpoint);
}

void TrialRunner::Complete(const tasks::TaskRef& ref) {
  tasks::TaskRecord record = driver_.Get(ref, 10);
  Active& active = active_.at(ref.id);
  Trial& trial = plan_.trials()[active.index];
  // The reports it sent before it ended.
  if (options_.report_rounds) {
    auto reports = inbox_.Take({active.channel});
    HandleReports(active, reports[0]);
  }
  Stopwatch clock;
  trial.attempts = record.attempt + 1;
  trial.started = record.started;
  trial.finished = record.finished;
  if (node_names_.count(record.node) == 0) {
    for (const auto& node : driver_.Nodes()) node_names_[node.info.node_id] = node.info.name;
  }
  trial.node = node_names_.count(record.node) ? node_names_[record.node] : record.node;
  const std::string& metric = options_.metric;
  if (record.state == tasks::TaskState::kDone && record.result.contains(metric) &&
      record.result[metric].is_number()) {
    trial.status = TrialStatus::kTerminated;
    trial.result = record.result;
    trial.metric = record.result[metric].get<double>();
    trial.iteration = std::max(trial.iteration, record.result.value("iterations", 0));
    // Stopped early: cut by the scheduler, and the fit did end at that report.
    trial.stopped_early =
        active.decision == SchedulerDecision::kStop && record.result.value("stopped_early", false);
    if (record.result.value("final_checkpoint", false)) SaveCheckpoint(active);
    if (record.result.contains("checkpoint_refused")) {
      LogWarning("tune: trial ", trial.trial_id, ": ",
                 record.result.value("checkpoint_refused", std::string()));
    }
    if (active.decision == SchedulerDecision::kContinue && trial.last_result) {
      Stopwatch decision_clock;
      scheduler_.OnComplete(trial.trial_id, trial.iteration, *trial.last_result);
      decisions_s_ += decision_clock.Seconds();
    }
    plan_.OnTrialComplete(trial);
  } else {
    trial.status = TrialStatus::kError;
    trial.error =
        record.state != tasks::TaskState::kDone ? record.error
        : record.result.contains(metric)
            ? "the trial's " + metric + " is undefined (a single class among its test rows?)"
            : "the result has no numeric '" + metric + "'";
  }
  if (options_.report_rounds) inbox_.Forget(active.channel);
  storage_.SaveTrial(trial);
  active_.erase(ref.id);
  overhead_s_ += clock.Seconds();
}

void TrialRunner::SpendBudget() {
  budget_spent_ = true;
  if (!options_.quiet) {
    std::printf("time budget of %g s spent: stopping the running trials\n", options_.time_budget_s);
  }
  std::vector<std::string> cancelled;
  for (auto& [task_id, active] : active_) {
    auto record = driver_.control().Task(task_id);
    if (record && record->state == tasks::TaskState::kPending) {
      // Not started: it never runs (it stays PENDING; --resume would run it).
      driver_.Cancel(active.ref, "cancelled: tune's time budget is spent");
      cancelled.push_back(task_id);
      continue;
    }
    if (active.decision == SchedulerDecision::kContinue) {
      active.decision = SchedulerDecision::kFinish;
      if (options_.report_rounds) inbox_.Stop(active.channel);
    }
  }
  for (const auto& task_id : cancelled) {
    Trial& trial = plan_.trials()[active_.at(task_id).index];
    trial.status = TrialStatus::kPending;
    trial.task_id.clear();
    if (options_.report_rounds) inbox_.Forget(active_.at(task_id).channel);
    active_.erase(task_id);
  }
}

void TrialRunner::Run(const Stopwatch& clock, const std::function<bool()>& interrupted,
                      const std::function<void()>& on_change) {
  capacity_ = Capacity();
  while (true) {
    if (!budget_spent_ && options_.time_budget_s > 0 && clock.Seconds() >= options_.time_budget_s) {
      SpendBudget();
    }
    while (!budget_spent_ && static_cast<int>(active_.size()) < capacity_) {
      auto next = plan_.NextTrial();
      if (!next) break;
      Submit(*next);
    }
    if (active_.empty()) break;
    std::vector<tasks::TaskRef> refs;
    for (const auto& [task_id, active] : active_) refs.push_back(active.ref);
    auto ready = driver_.Wait(refs, 1, 0.2);
    if (interrupted()) {
      for (const auto& ref : refs) driver_.Cancel(ref, "cancelled: tune was interrupted");
      throw Failure("tune: interrupted with ", refs.size(),
                    " trials unfinished; finish them with --resume");
    }
    if (clock.Seconds() - last_check_ >= 1.0) {
      last_check_ = clock.Seconds();
      FollowStates();
    }
    ReadReports();
    for (const auto& ref : ready) {
      Complete(ref);
      on_change();
    }
    table_.Update(plan_.trials(), clock.Seconds());
  }
}

}  // namespace scaleml::tune
