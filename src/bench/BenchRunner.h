// Runs a suite: generates (or reuses) its datasets, runs every planned run as its own child
// process with a timeout, appends each record to DIR/results.jsonl as it ends, shows progress on
// stderr. A failed run is recorded with its error and the suite goes on.
// Thread-safety: one BenchRunner per thread; it forks children and waits for them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/BenchOptions.h"
#include "bench/ChildProcess.h"
#include "bench/FaultRun.h"
#include "bench/RunSpec.h"

namespace scaleml::bench {

struct SuiteSummary {
  int planned = 0, ran = 0, resumed = 0, ok = 0, failed = 0, skipped = 0, timed_out = 0,
      out_of_memory = 0;
  double wall_s = 0;
};

class BenchRunner {
 public:
  explicit BenchRunner(BenchOptions options);

  SuiteSummary Run();
  // The results folder (--out, or bench-results/SUITE).
  const std::string& out_dir() const { return options_.out_dir; }

  // Whether `python` imports sklearn, pandas and xgboost.
  static bool PythonPeerAvailable(const std::string& python);
  // Whether `python` also imports torch with a gloo-capable torch.distributed (torchrun's peer).
  static bool TorchPeerAvailable(const std::string& python);

  // The command line of a run (`storage`: the tasks engine's results folder). Exposed for tests.
  std::vector<std::string> CommandOf(const RunSpec& spec, const std::string& data,
                                     const std::string& storage) const;
  // Where scaleml's own run (local, ddp) writes its report (train --report-file): beside the
  // run's logs. Exposed for tests.
  std::string ReportFileOf(const RunSpec& spec) const;

 private:
  std::string EnsureDataset(std::int64_t rows, DataProblem problem);
  // The records the peers' skip rule looks at before the first run: --peer-history's files, then
  // DIR/results.jsonl.
  std::vector<nlohmann::json> EarlierRecords(const std::vector<nlohmann::json>& own) const;
  double TimeoutOf(const RunSpec& spec) const;
  // A fault run's expected length: the same run's total in this folder's results, or a guess.
  double ExpectedSeconds(const RunSpec& spec) const;
  FaultPlan FaultPlanOf(const RunSpec& spec, const std::vector<std::string>& argv,
                        const std::string& log_stem, const std::string& storage) const;
  nlohmann::json Execute(const RunSpec& spec);

  BenchOptions options_;
  std::string data_dir_;
  double generate_timeout_s_ = 0;
  nlohmann::json machine_;
  nlohmann::json version_;
};

// The fields of a run's record taken from what the child reported: a train report (scaleml's
// --report-file record as JSON, or a peer's last line of stdout that is a JSON object) or a tune
// summary. Ranks' and trials' nodes give the peak RSS
// per node ("peak_rss_per_node": node -> bytes). Exposed for tests.
void MergeTrainReport(const nlohmann::json& report, nlohmann::json& record);
void MergeTuneSummary(const nlohmann::json& summary, double started_unix, nlohmann::json& record);
// The last line of `text` that parses as a JSON object; null when there is none (peers only).
nlohmann::json LastJsonObject(const std::string& text);

}  // namespace scaleml::bench
