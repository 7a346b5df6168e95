// The experiments the dashboard shows: tune storage folders (--storage) found under the
// dashboard's --experiments folders (a folder that is an experiment, or that holds several).
// Per experiment: experiment_state.json (every trial and its config, the metric and its mode);
// per trial: result.json (status, node, final metrics; written when it ends), running.json
// (written by tune when it starts running) and result.jsonl (one line per reported round:
// {"iteration", "metric", "metric_name", "time_s"}), the trial's curve. Files are parsed again only
// when their size or mtime changed (finished trials' files at most every 2 s), and result.jsonl is
// read from where the last read stopped, so listing 1,000 trials of a live experiment costs a few
// stat calls. Names from URLs are checked (SafeName.h) and looked up in what was scanned.
// Thread-safety: all methods may be called from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dashboard/FileStamp.h"

namespace scaleml::dashboard {

struct TrialQuery {
  std::size_t offset = 0;
  std::size_t limit = 100;        // capped at 1000
  std::string sort = "trial_id";  // trial_id, status, metric, iteration, time_s
  bool descending = false;
  std::string status;            // only trials with this status; empty: all
  std::size_t curve_points = 0;  // > 0: each row carries its curve, thinned to this many points
};

class ExperimentIndex {
 public:
  explicit ExperimentIndex(std::vector<std::string> roots);

  // {"experiments": [{name, algo, metric, mode, trials, counts, best}]}.
  nlohmann::json List();
  // A page of trials; nullopt when there is no such experiment.
  std::optional<nlohmann::json> Trials(const std::string& name, const TrialQuery& query);
  // One trial with its full result and curve; nullopt when unknown.
  std::optional<nlohmann::json> Trial(const std::string& name, const std::string& trial_id);
  // The trial's log: files in its folder (*.log) and the lines of the cluster's logs
  // (`logs_dir`, may be empty) that name its task. nullopt when unknown.
  std::optional<nlohmann::json> TrialLog(const std::string& name, const std::string& trial_id,
                                         const std::string& logs_dir);
  // Trials of every experiment by status (for /metrics).
  std::map<std::string, std::int64_t> CountsByStatus();

 private:
  struct CurvePoint {
    double iteration = 0, metric = 0, time_s = 0;
  };
  struct TrialView {
    std::string trial_id;
    nlohmann::json config;
    std::string status = "PENDING";
    std::string node, task_id, error;
    std::optional<double> metric;
    double time_s = 0, started = 0;
    nlohmann::json result;
    std::string curve_metric;
    std::vector<CurvePoint> curve;
    std::int64_t curve_offset = 0;  // bytes of result.jsonl consumed
    FileStamp result_stamp, curve_stamp;
  };
  struct ExperimentView {
    std::string name, dir;
    FileStamp state_stamp;
    std::string algo, metric, mode = "max";
    std::vector<TrialView> trials;
    int best = -1;
    // When the files of finished trials were last checked: they change rarely (a --resume), so
    // they are checked at most every 2 s; running and pending ones at every call.
    std::chrono::steady_clock::time_point finished_checked{};
  };

  std::map<std::string, std::string> ScanFolders() const;
  // The experiment brought up to date; nullptr when unknown. Call with mutex_ held.
  ExperimentView* Refresh(const std::string& name);
  void RefreshTrial(const std::string& dir, TrialView& trial);
  nlohmann::json TrialRow(const ExperimentView& experiment, std::size_t index,
                          std::size_t curve_points) const;
  nlohmann::json Summary(const ExperimentView& experiment) const;

  std::vector<std::string> roots_;
  std::mutex mutex_;
  std::map<std::string, ExperimentView> experiments_;
};

}  // namespace scaleml::dashboard
