// What one training run reports, whichever engine ran it: row counts, the metrics of
// engine/Metrics.h, phase times, communication and memory; under ddp every rank's times (and in
// paper mode every rank's accuracy), under tasks where the trial ran. The CLI prints it (ToText
// or ToJson), tune and bench read it; a report that crosses a process boundary travels as the
// versioned record of engine/TrainReportFile.h, whose body is ToJson().
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "algo/ParamSchema.h"
#include "engine/EngineKind.h"
#include "engine/Metrics.h"

namespace scaleml {

// One fold of a cross-validation.
struct CvFoldReport {
  std::int64_t rows_train = 0;  // over all ranks
  double fit_s = 0.0;
  double predict_s = 0.0;
  ClassificationMetrics metrics;  // metrics.rows: the fold's test rows
};

// One ddp rank's share of the work; a plain record so that it can be gathered byte for byte.
struct RankTimes {
  std::int32_t rank = 0;
  std::int32_t node = 0;   // GROUP_RANK
  double connect_s = 0.0;  // forming the process group
  double load_s = 0.0;
  double split_s = 0.0;
  double fit_s = 0.0;
  double predict_s = 0.0;
  double total_s = 0.0;
  double comm_s = 0.0;
  std::int64_t comm_calls = 0;
  std::int64_t comm_bytes = 0;
  std::int64_t peak_rss_bytes = 0;
  double joined_unix = 0.0;  // wall clock (unix seconds) when the group had formed
};

// Where a tasks-engine run's trial ran, and what its driver spent around it.
struct TasksPlacement {
  std::string node;
  int attempts = 1;
  double driver_load_s = 0.0;  // reading the CSV once in the driver
  double put_s = 0.0;          // putting the dataset into the object store
  double driver_total_s = 0.0;
};

struct TrainReport {
  std::string algo;
  EngineKind engine = EngineKind::kLocal;
  std::optional<DdpMode> ddp_mode;  // under the ddp engine only
  std::string data_path;
  int ranks = 1;
  int threads = 0;
  // The rank of the process that made this report: under ddp only rank 0's is printed or
  // written. Not part of the JSON.
  int rank = 0;
  std::int64_t rows_train = 0;  // over all ranks
  std::int64_t rows_test = 0;
  std::int64_t rows_missing_label = 0;  // rows of --data skipped for a missing label (all ranks)
  std::int64_t features = 0;
  std::int64_t classes = 0;
  double accuracy = 0.0;
  // The test rows' metrics (accuracy as above). With cross-validation: the folds' means, and the
  // confusion matrix summed over the folds (every row scored once, by the model that did not
  // train on it).
  ClassificationMetrics metrics;
  std::string test_data_path;          // empty: a split of data_path
  std::vector<CvFoldReport> cv_folds;  // cross-validation only; times above are their sums
  double load_s = 0.0;
  double split_s = 0.0;
  double fit_s = 0.0;
  double predict_s = 0.0;
  double score_s = 0.0;  // computing the metrics (its collectives included)
  double total_s = 0.0;
  double comm_s = 0.0;
  std::int64_t comm_bytes = 0;
  std::int64_t peak_rss_bytes = 0;
  bool from_cache = false;
  ParamMap params;
  // ddp: every rank, in rank order (empty otherwise).
  std::vector<RankTimes> per_rank;
  // ddp paper mode only (empty otherwise), in rank order.
  std::vector<double> accuracy_per_rank;
  std::vector<std::int64_t> rows_train_per_rank;
  std::optional<TasksPlacement> tasks;  // the tasks engine only

  // The report's JSON (`train --json`; results.jsonl's keys): one flat object, NaN as null.
  nlohmann::json ToJson() const;
  // The inverse of ToJson; throws a json exception (out_of_range, type_error) or an InputError
  // for a missing or mistyped key, which the caller turns into an error naming the source.
  static TrainReport FromJson(const nlohmann::json& json);
  // A short human-readable report, a line per item.
  std::string ToText() const;
};

// The per-rank lines of a ddp report's text, and the same as JSON (an array).
std::string FormatRankTimes(const std::vector<RankTimes>& ranks);
nlohmann::json RankTimesJson(const std::vector<RankTimes>& ranks);

}  // namespace scaleml
