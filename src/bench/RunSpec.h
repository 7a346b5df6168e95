// One benchmark run to make: which algorithm, on which engine, at which data size, with how many
// ranks or trials. Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/DataProblem.h"

namespace scaleml::bench {

struct RunSpec {
  std::string suite;      // quick, paper or scaling
  std::string algo;       // gbdt, xgboost, logreg, rf, knn
  std::string engine;     // local, tasks, ddp, or a peer's: "python", "torch-ddp"
  std::string mode;       // ddp: "one-model" or "paper"; empty otherwise
  std::string size;       // the size label as given: "1GB", "100000"
  std::int64_t rows = 0;  // rows of the dataset
  DataProblem problem = DataProblem::kPerChunk;  // the paper's data or one problem
  int ranks = 1;                                 // ddp and torch-ddp ranks (1 for the others)
  int trials = 0;                                // tasks trials (0 for the others)
  int threads = 0;                  // threads of the whole run (shared among ranks or trials)
  std::vector<std::string> params;  // name=value, the paper's hyperparameters
  std::string skip_reason;          // non-empty: recorded as skipped, not run
  double timeout_s = 0;             // killed after this long (0: the runner's default)

  // A stable key: what --resume compares with the records already in results.jsonl. One-problem
  // runs end in "/one", so both data variants can share a results file.
  std::string Id() const;
  // A file-name-safe form of Id().
  std::string FileStem() const;
};

}  // namespace scaleml::bench
