// `scaleml tune` as a function: expand the search space into trials, load the data once and put
// it into the object store, run a train_trial task per trial on the tasks engine (each trial's
// CPUs reserved on one node), follow them in the live table, store every trial and the summary,
// and name the best config. With --address auto and no cluster on this machine it starts a
// private local one for the run and stops it afterwards, as ray.init() does.
// Thread-safety: call from a single-threaded process (a local cluster is forked).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/CsvReader.h"
#include "engine/tune/Trial.h"

namespace scaleml::tune {

struct TuneOptions {
  std::string algo;
  std::string data_path;
  int num_samples = 1;
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
  // How long the driver waits for a lost or restarting head's Redis to come back.
  double reconnect_timeout_s = 60.0;
  bool resume = false;
  double test_size = 0.2;
  std::uint64_t split_seed = 42;
  int cv_folds = 0;  // >= 2: every trial cross-validates (its metric: the folds' mean)
  std::uint64_t search_seed = 0;
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
