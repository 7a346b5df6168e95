// The tables of report.md, made from the records of results.jsonl. Pure functions of their input
// (no files, no clock), so fixed records give a fixed report. Thread-safety: functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

// The latest record of every run id, in the order the runs first appeared.
std::vector<nlohmann::json> LatestRecords(const std::vector<nlohmann::json>& records);

// "local", "tasks x2", "ddp x3", "ddp-paper x3", "python": how a run is named in tables.
std::string EngineLabel(const nlohmann::json& record);

// fit + predict seconds: the computation, with loading and scheduling left out.
double ComputeSeconds(const nlohmann::json& record);

// One table per algorithm: every run (engines x sizes) with its phase times and accuracy.
std::string PerAlgorithmTables(const std::vector<nlohmann::json>& records);
// Algorithms x (engine, size): accuracy.
std::string AccuracyTable(const std::vector<nlohmann::json>& records);
// The paper's published seconds and accuracies next to this run's at the same size labels.
std::string PaperComparisonTable(const std::vector<nlohmann::json>& records);
// scaleml's runs against the Python peer's at the same algorithm and size: the ratio of times.
std::string PeerRatioTable(const std::vector<nlohmann::json>& records);
// One point of a scaling curve: a run at n ranks (ddp) or n trials (tasks) and its speed-up
// against the 1-rank (1-trial) run of the same algorithm and size.
struct ScalingPoint {
  std::string algo, size, engine;
  int n = 1;
  double total_s = 0, speedup = 0;
};
// The points of every algorithm and size that has runs at more than one rank or trial count.
std::vector<ScalingPoint> ScalingPoints(const std::vector<nlohmann::json>& records);

// Speed-up and efficiency against the 1-rank (1-trial) run of the same algorithm and size;
// empty when no algorithm has runs at more than one rank or trial count.
std::string ScalingTable(const std::vector<nlohmann::json>& records);
// Memory and responsiveness: peak RSS (largest process; per rank for ddp), time to the first
// result, and for the tasks engine the time from submit to start.
std::string ResponsivenessTable(const std::vector<nlohmann::json>& records);
// Runs that failed or were skipped, with their errors; empty when none.
std::string ProblemTable(const std::vector<nlohmann::json>& records);

// A number with `digits` decimals; "—" for a missing value.
std::string Cell(const nlohmann::json& record, const char* key, int digits);

}  // namespace scaleml::bench
