// `scaleml tune` as a function: load the data once and put it into the object store, then run a
// train_trial task per trial on the tasks engine (each trial's CPUs reserved on one node), follow
// them in the live table, store every trial and the summary, and name the best config. With
// --address auto and no cluster on this machine it starts a private local one for the run and
// stops it afterwards, as ray.init() does. The parts, each its own class:
//  - ExperimentPlan: the search space, the searcher (grid, random, TPE), --resume's saved trials;
//  - TrialRunner: submits trials as the cluster has room, follows their per-round reports through
//    the scheduler (FIFO, ASHA, median), stops, records curves and checkpoints;
//  - ExperimentSummary: the best trial, summary.json/.csv and best.model.
// Thread-safety: call from a single-threaded process (a local cluster is forked).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/CsvReader.h"
#include "engine/tune/Scheduler.h"
#include "engine/tune/Searcher.h"
#include "engine/tune/Trial.h"

namespace scaleml::tune {

struct TuneOptions {
  std::string algo;
  std::string data_path;
  int num_samples = 1;  // -1: sample until --time-budget-s ends
  int cpus_per_trial = 1;
  // Bytes of memory each trial reserves on its node; 0: estimated from the dataset's size and
  // the algorithm (MemoryEstimate.h).
  std::int64_t memory_per_trial = 0;
  std::string search_space = "{}";
  std::vector<std::string> params;  // constants, name=value
  std::string metric = "accuracy";  // a report metric (engine/Metrics.h, ScalarMetricNames)
  std::string mode;                 // max or min; empty: the metric's (logloss min, others max)
  std::string storage;              // empty: nothing stored
  std::string name;      // experiment name (trial ids start with it); default: the algorithm
  int max_failures = 0;  // retries of a trial whose worker or node died
  std::string address = "auto";
  std::string token;
  // The home of this machine's cluster files (the cluster of --address auto, the node agent a
  // dataset is put into); empty: ScalemlHome().
  std::string home;
  // How long the driver waits for a lost or restarting head's Redis to come back.
  double reconnect_timeout_s = 60.0;
  bool resume = false;
  double test_size = 0.2;
  std::uint64_t split_seed = 42;
  int cv_folds = 0;  // >= 2: every trial cross-validates (its metric: the folds' mean)
  std::uint64_t search_seed = 0;
  SearchKind search = SearchKind::kRandom;
  SchedulerOptions scheduler;     // kind, max_t, grace_period, ... (maximize set by the runner)
  int max_concurrent_trials = 0;  // 0: as many as the cluster's CPUs hold
  double time_budget_s = 0;       // 0: none
  // Per-round reports (tune's trials; off for `train --engine tasks`): the validation part held
  // out of each trial's training rows, and checkpoints every N rounds (0: only the final model).
  bool report_rounds = true;
  double valid_fraction = 0.1;
  int checkpoint_freq = 0;
  int load_threads = 0;
  CsvOptions csv;      // how the CSV is read (target, column types, NA spellings, delimiter)
  int local_cpus = 0;  // CPUs of a local cluster started for the run (0 = all cores)
  bool quiet = false;
};

struct TuneResult {
  std::vector<Trial> trials;
  int best = -1;  // index into trials; -1 when none finished
  nlohmann::json summary;
};

class TuneRunner {
 public:
  static TuneResult Run(const TuneOptions& options);
};

}  // namespace scaleml::tune
