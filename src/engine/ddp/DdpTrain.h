// `scaleml train --engine ddp`: one rank of a group started by `scaleml launch` or torchrun. It
// reads the torchrun environment, joins the Gloo process group (libscaleml_gloo.so, loaded
// now), trains on this rank's byte range of the file with RunTrainJob, and gathers every rank's
// phase times and communication so that rank 0 can report them.
// Thread-safety: RunDdpTrain forms a process group; call it once per process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/TrainJob.h"

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
};

struct DdpTrainResult {
  TrainReport report;            // global accuracy and row counts; times are this rank's
  std::vector<RankTimes> ranks;  // every rank, in rank order
  bool is_root = false;          // rank 0 prints
};

// The thread count a rank uses when --threads is not given: OMP_NUM_THREADS (which the launcher
// sets to the node's cores divided by its ranks), or 0 (all cores) when it is unset.
int DdpDefaultThreads();

// Throws an InputError when not run under a launcher, a Failure when the group fails.
DdpTrainResult RunDdpTrain(const TrainRequest& request);

// The per-rank lines that follow the report's text, and the same as JSON (an array).
std::string FormatRankTimes(const std::vector<RankTimes>& ranks);
nlohmann::json RankTimesJson(const std::vector<RankTimes>& ranks);

// The report and the per-rank details together, as `--json` prints them.
nlohmann::json DdpTrainJson(const DdpTrainResult& result);

}  // namespace scaleml
