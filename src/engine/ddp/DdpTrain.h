// `scaleml train --engine ddp`: one rank of a group started by `scaleml launch` or torchrun. It
// reads the torchrun environment, joins the Gloo process group (libscaleml_gloo.so, loaded
// now), runs RunTrainJob in one of two modes, and gathers every rank's phase times and
// communication so that rank 0 can report them:
// - one-model (the default): the ranks read their byte ranges of the file and train one model
//   together through the group;
// - paper (the paper's PyTorch protocol): every rank reads the whole file, trains a model of its
//   own with LocalComm on its share of the training rows (PaperSplit.h) and scores the whole test
//   set; the group only gathers the report (mean accuracy, slowest rank's phase times).
// Thread-safety: RunDdpTrain forms a process group; call it once per process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/TrainJob.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

// One rank's share of the work; a plain record so that it can be gathered byte for byte.
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

enum class DdpMode { kOneModel, kPaper };

// "one-model" or "paper"; anything else is an InputError that lists them.
DdpMode ParseDdpMode(const std::string& name);
const char* DdpModeName(DdpMode mode);

struct DdpTrainResult {
  // One-model: global accuracy, metrics and row counts, times are this rank's. Paper: the mean
  // of the ranks' accuracies and other metrics (the confusion matrix is rank 0's model's),
  // rows_train summed over the ranks' shares, rows_test the whole test set, each phase time the
  // slowest rank's.
  TrainReport report;
  std::vector<RankTimes> ranks;  // every rank, in rank order
  // Paper mode only (empty otherwise), in rank order.
  std::vector<double> accuracy_per_rank;
  std::vector<std::int64_t> rows_train_per_rank;
  bool is_root = false;  // rank 0 prints
};

// The thread count a rank uses when --threads is not given: OMP_NUM_THREADS (which the launcher
// sets to the node's cores divided by its ranks), or 0 (all cores) when it is unset.
int DdpDefaultThreads();

// Throws an InputError when not run under a launcher, a Failure when the group fails. In paper
// mode only rank 0 writes request.save_model (its own model).
// `overrides` stand in for MASTER_ADDR/MASTER_PORT under mpirun and srun (RankEnvironment.h).
DdpTrainResult RunDdpTrain(const TrainRequest& request, DdpMode mode = DdpMode::kOneModel,
                           const RankOverrides& overrides = {});

// The per-rank lines that follow the report's text, and the same as JSON (an array).
std::string FormatRankTimes(const std::vector<RankTimes>& ranks);
nlohmann::json RankTimesJson(const std::vector<RankTimes>& ranks);

// The report and the per-rank details together, as `--json` prints them.
nlohmann::json DdpTrainJson(const DdpTrainResult& result);
// The same as text: the report, paper mode's per-rank accuracies, the per-rank table.
std::string DdpTrainText(const DdpTrainResult& result);

}  // namespace scaleml
