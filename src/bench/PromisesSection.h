// "The five promises" of report.md: the paper's abstract promised to compare memory efficiency,
// load balancing, fault tolerance, network latency and responsiveness; this section measures each
// from the run records (results.jsonl), the fault runs (records with a "fault" object) and
// DIR/network.jsonl (collective latency and object transfer, when it was measured).
// Pure functions of their input, like ReportTables. Thread-safety: functions.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

// The spread of per-rank (per-trial, per-node) times: who was slowest and by how much.
struct Spread {
  int count = 0;
  double min = 0, median = 0, max = 0;
  int argmin = -1, argmax = -1;  // index of the first smallest (largest) value
  // max / min (0 when min is not positive) and max - median: how long the others waited for the
  // slowest at the next collective.
  double Ratio() const { return min > 0 ? max / min : 0; }
  double Excess() const { return max - median; }
};
Spread SpreadOf(std::span<const double> values);

// What one machine held at its peak.
struct MachineMemory {
  double bytes = 0;     // 0: not known
  bool sampled = true;  // true: the sampled sum over the run's processes at one moment;
                        // false: the sum of each process's own peak (an upper bound)
};
// Per node: the sum of each process's peak (ddp ranks, tasks trials) that ran there.
std::map<std::string, double> PeakSumPerNode(std::span<const std::string> nodes,
                                             std::span<const double> peaks);
// A run's machine peak: "peak_rss_machine_bytes" when the bench sampled it; otherwise the sum of
// its processes' peaks on its busiest node (ddp: ranks; tasks: the driver and the trials).
MachineMemory MachinePeak(const nlohmann::json& record);

// Whether a record is a fault run (rendered only here, not in the other tables).
bool IsFaultRecord(const nlohmann::json& record);

// The whole section (a "## The five promises" heading and five "###" subsections). `network`: the
// records of DIR/network.jsonl (empty when it is absent).
std::string PromisesSection(const std::vector<nlohmann::json>& records,
                            const std::vector<nlohmann::json>& network);

// The five subsections, each on its own (used by PromisesSection; exposed for tests).
std::string MemorySubsection(const std::vector<nlohmann::json>& records);
std::string LoadBalanceSubsection(const std::vector<nlohmann::json>& records);
std::string FaultSubsection(const std::vector<nlohmann::json>& records);
std::string NetworkSubsection(const std::vector<nlohmann::json>& records,
                              const std::vector<nlohmann::json>& network);
std::string ResponsivenessSubsection(const std::vector<nlohmann::json>& records);

}  // namespace scaleml::bench
