// The trial scheduler of an experiment on the tasks engine: submits the plan's trials as the
// cluster has room (--max-concurrent-trials, else its CPUs / --cpus-per-trial), follows them
// (PENDING, RUNNING, then TERMINATED or ERROR; the engine reruns a trial whose worker or node died,
// up to --max-failures), reads their per-round reports from the control store
// (TrialChannel.h), appends them to each trial's result.jsonl, asks the scheduler about each one
// and stops the trials it cuts (the worker's monitor ends the fit at its next round, so the
// worker is freed at once), writes checkpoints, and ends the experiment at --time-budget-s.
// Thread-safety: one thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/Stopwatch.h"
#include "engine/tasks/Driver.h"
#include "engine/tune/ExperimentPlan.h"
#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/Scheduler.h"
#include "engine/tune/TrialChannel.h"
#include "engine/tune/TrialTable.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::tune {

class TrialRunner {
 public:
  TrialRunner(tasks::Driver& driver, tasks::ObjectRef data, const TuneOptions& options,
              ExperimentPlan& plan, const ExperimentStorage& storage, Scheduler& scheduler,
              TrialTable& table, bool local_cluster);
  // Runs until the plan is done (or the time budget is spent) and no trial runs. `interrupted`
  // is polled: when it turns true, every trial is cancelled and a Failure thrown. `on_change`
  // runs after each trial's end (the summary is rewritten).
  void Run(const Stopwatch& clock, const std::function<bool()>& interrupted,
           const std::function<void()>& on_change);
  // Where the memory a trial reserves comes from, for the error when no node has that much.
  void set_memory_origin(std::string origin) { memory_origin_ = std::move(origin); }
  // The driver's own time on trials (scheduler, searcher, reports, files, checkpoints), not
  // waits; and the part of it the scheduler's and searcher's decisions took.
  double overhead_s() const { return overhead_s_ + plan_.searcher_s(); }
  double decisions_s() const { return decisions_s_ + plan_.searcher_s(); }
  bool budget_spent() const { return budget_spent_; }

 private:
  struct Active {
    tasks::TaskRef ref;
    std::size_t index = 0;  // into plan_.trials()
    std::string channel;
    int written_checkpoint = 0;
    int last_written = 0;  // the last round in result.jsonl
    SchedulerDecision decision = SchedulerDecision::kContinue;
  };
  void Submit(std::size_t index);
  int Capacity();
  void FollowStates();
  void ReadReports();
  void HandleReports(Active& active, const std::vector<RoundReport>& reports);
  void SaveCheckpoint(Active& active);
  void Complete(const tasks::TaskRef& ref);
  void SpendBudget();

  tasks::Driver& driver_;
  tasks::ObjectRef data_;
  const TuneOptions& options_;
  ExperimentPlan& plan_;
  const ExperimentStorage& storage_;
  Scheduler& scheduler_;
  TrialTable& table_;
  TrialInbox inbox_;
  std::string run_id_;
  std::map<std::string, Active> active_;  // by task id
  std::map<std::string, std::string> node_names_;
  double overhead_s_ = 0;
  double decisions_s_ = 0;
  bool budget_spent_ = false;
  int capacity_ = 1;
  bool local_cluster_ = false;
  double last_check_ = -10;
  double starved_since_ = -1;
  std::string memory_origin_ = "--memory-per-trial";
};

}  // namespace scaleml::tune
