// One training run as every engine performs it: load the rows this process holds, split them by
// the global hash split (or score on a separate test file, or cross-validate over K folds of the
// same hash), fit with the given Comm, score the test rows, and report times, the metrics of
// engine/Metrics.h and memory. The local engine calls it with LocalComm; the ddp engine with its
// process group; a tasks-engine trial with LocalComm on a dataset from the object store.
// The engines (engine/Engine.h) call it; a TrainReport (engine/TrainReport.h) is its result.
// Thread-safety: RunTrainJob is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "algo/ParamSchema.h"
#include "comm/Comm.h"
#include "data/CsvReader.h"
#include "data/Dataset.h"
#include "data/TrainTestSplit.h"
#include "engine/EngineKind.h"
#include "engine/Metrics.h"
#include "engine/TrainReport.h"

namespace scaleml {

class Classifier;

struct TrainRequest {
  std::string algo;
  std::string data_path;
  ParamMap params;
  SplitOptions split;
  CsvOptions csv;
  int threads = 0;                         // as set by the caller; recorded in the report
  EngineKind engine = EngineKind::kLocal;  // recorded in the report
  std::string save_model;                  // written by rank 0 when non-empty
  // Score on this file (read with `csv`, partitioned like data_path) instead of a split: every
  // row of data_path trains.
  std::string test_data_path;
  // >= 2: K-fold cross-validation instead of one split: fold f tests the rows whose split hash
  // falls in [f/K, (f+1)/K) (data/TrainTestSplit.h, CvFold) and trains on the others.
  int cv_folds = 0;
  // Read only this rank's byte range of the file (ddp); otherwise the whole file.
  bool partitioned = false;
  // When set, the job trains only on the training rows at the positions this returns, given the
  // training rows' global ids (the ddp engine's paper mode: the rank's share); rows_train counts
  // those rows.
  std::function<std::vector<std::size_t>(std::span<const std::int64_t> row_ids)> keep_train_rows;
  // When set (a tune trial), called with the new model just before it is fitted (not under
  // --cv): it may attach per-round monitoring, or replace the model with a checkpoint to
  // continue from.
  std::function<void(std::unique_ptr<Classifier>& model)> prepare_model;
};

// An input error for scoring options that cannot work: --cv with --test-data or --save-model,
// fewer than 2 folds, a --test-size outside (0, 1) where the split is used. RunTrainJob checks
// them first; a command line can check them before it forms a group.
void CheckScoringOptions(const TrainRequest& request);

// Runs the whole job; `preloaded` (optional) replaces loading from data_path.
TrainReport RunTrainJob(const TrainRequest& request, Comm& comm,
                        const Dataset* preloaded = nullptr);

}  // namespace scaleml
