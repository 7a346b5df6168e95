// The tables of report.md, made from the records of results.jsonl. Pure functions of their input
// (no files, no clock), so fixed records give a fixed report. Thread-safety: functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

// The latest record of every run id, in the order the runs first appeared.
std::vector<nlohmann::json> LatestRecords(const std::vector<nlohmann::json>& records);

// "local", "tasks x2", "ddp x3", "ddp-paper x3", "python", "torch-ddp x3": how a run is named in
// tables.
std::string EngineLabel(const nlohmann::json& record);

// The size a run is shown under: its size label ("1GB"), and " one-problem" after it for a run
// on one problem for the whole file (records' "problem": "one"), so both variants can share a
// results file and a table.
std::string SizeLabel(const nlohmann::json& record);
// The status word of a record, with the limit of a timeout: "ok", "timeout (300 s limit)".
std::string StatusText(const nlohmann::json& record);
// What a time cell shows: the total seconds of an ok run, "> 300 s (limit)" for a timeout, "out
// of memory", "skipped (exceeded the 300 s limit at 3GB)", "failed".
std::string OutcomeText(const nlohmann::json& record);

// fit + predict seconds: the computation, with loading and scheduling left out.
double ComputeSeconds(const nlohmann::json& record);

// One algorithm's engines x sizes (total seconds and accuracy), each scaleml engine with its peer
// beside it (local: python; ddp paper mode: torch-ddp), then the paper's published figures.
std::string EnginesBySizesTable(const std::vector<nlohmann::json>& records,
                                const std::string& algo);
// One section per algorithm: its engines x sizes table, then every run with its phase times.
std::string PerAlgorithmTables(const std::vector<nlohmann::json>& records);
// Algorithms x (engine, size): accuracy.
std::string AccuracyTable(const std::vector<nlohmann::json>& records);
// The paper's published seconds and accuracies next to this run's at the same size labels.
std::string PaperComparisonTable(const std::vector<nlohmann::json>& records);
// Each scaleml run against its matching peer at the same algorithm and size (local against
// python, the ddp engine's paper mode against torch-ddp at the same ranks): the ratios of total
// and fit times (peer / scaleml: above 1, scaleml is faster) and both accuracies.
std::string PeerRatioTable(const std::vector<nlohmann::json>& records);
// A line saying why the ddp paper mode has no peer, when it ran without one; empty otherwise.
std::string MissingPeerNote(const std::vector<nlohmann::json>& records);
// One point of a scaling curve: a run at n ranks (ddp) or n trials (tasks) and its speed-up
// against the 1-rank (1-trial) run of the same algorithm and size.
struct ScalingPoint {
  std::string algo, size, engine;
  int n = 1;
  double total_s = 0, fit_s = 0, predict_s = 0;
  double comm_s = -1, comm_bytes = -1;  // -1: not reported (tasks)
  double speedup = 0;                   // of total_s
  double compute_speedup = 0;           // of fit + predict
};
// The points of every algorithm and size that has runs at more than one rank or trial count.
std::vector<ScalingPoint> ScalingPoints(const std::vector<nlohmann::json>& records);

// Per rank (trial) count: fit, predict, fit+predict, communication seconds and bytes (all ranks),
// speed-up and efficiency of the total and of fit+predict against the 1-rank (1-trial) run of
// the same algorithm and size;
// empty when no algorithm has runs at more than one rank or trial count.
std::string ScalingTable(const std::vector<nlohmann::json>& records);
// Runs that failed or were skipped, with their errors; empty when none.
std::string ProblemTable(const std::vector<nlohmann::json>& records);

// A number with `digits` decimals; "—" for a missing value.
std::string Cell(const nlohmann::json& record, const char* key, int digits);

}  // namespace scaleml::bench
