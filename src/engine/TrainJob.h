// One training run as every engine performs it: load the rows this process holds, split them by
// the global hash split, fit with the given Comm, score the test rows, and report times, accuracy
// and memory. The local engine calls it with LocalComm; the ddp engine with its process group;
// a tasks-engine trial with LocalComm on a dataset from the object store.
// Thread-safety: RunTrainJob is reentrant; a TrainReport is a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "algo/ParamSchema.h"
#include "comm/Comm.h"
#include "data/CsvReader.h"
#include "data/Dataset.h"
#include "data/TrainTestSplit.h"

namespace scaleml {

struct TrainRequest {
  std::string algo;
  std::string data_path;
  ParamMap params;
  SplitOptions split;
  CsvOptions csv;
  int threads = 0;  // as set by the caller; recorded in the report
  std::string engine = "local";
  std::string save_model;  // written by rank 0 when non-empty
  // Read only this rank's byte range of the file (ddp); otherwise the whole file.
  bool partitioned = false;
  // When set, the job trains only on the training rows at the positions this returns, given the
  // training rows' global ids (the ddp engine's paper mode: the rank's share); rows_train counts
  // those rows.
  std::function<std::vector<std::size_t>(std::span<const std::int64_t> row_ids)> keep_train_rows;
};

struct TrainReport {
  std::string algo;
  std::string engine;
  std::string ddp_mode;  // "one-model" or "paper" under the ddp engine; empty otherwise
  std::string data_path;
  int ranks = 1;
  int threads = 0;
  std::int64_t rows_train = 0;  // over all ranks
  std::int64_t rows_test = 0;
  std::int64_t features = 0;
  std::int64_t classes = 0;
  double accuracy = 0.0;
  double load_s = 0.0;
  double split_s = 0.0;
  double fit_s = 0.0;
  double predict_s = 0.0;
  double total_s = 0.0;
  double comm_s = 0.0;
  std::int64_t comm_bytes = 0;
  std::int64_t peak_rss_bytes = 0;
  bool from_cache = false;
  ParamMap params;

  nlohmann::json ToJson() const;
  // A short human-readable report, a line per item.
  std::string ToText() const;
};

// Runs the whole job; `preloaded` (optional) replaces loading from data_path.
TrainReport RunTrainJob(const TrainRequest& request, Comm& comm,
                        const Dataset* preloaded = nullptr);

}  // namespace scaleml
