#include "bench/PromisesSection.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "bench/ReportTables.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

constexpr double kMiB = 1024.0 * 1024.0;

// What writes DIR/network.jsonl, named where it is missing.
constexpr const char* kNetworkCommand =
    "`bench/run_network_bench.sh --out DIR` (collective latency on loopback and between three "
    "network-namespace hosts, object transfer between namespace hosts; the namespaces need "
    "root)";

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

std::string MiB(double bytes) { return bytes > 0 ? Fixed(bytes / kMiB, 0) : "—"; }

bool IsOk(const json& r) { return r.value("status", "") == "ok"; }

// A number field, or -1 when it is missing or not a number.
double Number(const json& r, const char* key) {
  return r.contains(key) && r[key].is_number() ? r[key].get<double>() : -1;
}

std::string OptionalCell(double value, int digits) {
  return value < 0 ? "—" : Fixed(value, digits);
}

// A numeric array field, empty when absent.
std::vector<double> Numbers(const json& r, const char* key) {
  std::vector<double> out;
  if (!r.contains(key) || !r[key].is_array()) return out;
  for (const auto& v : r[key]) {
    if (v.is_number()) out.push_back(v.get<double>());
  }
  return out;
}

// A per-rank field: the record's array (rank_fit_s, ...) or the same key in each per_rank entry.
std::vector<double> PerRank(const json& r, const char* array_key, const char* rank_key) {
  std::vector<double> out = Numbers(r, array_key);
  if (!out.empty() || !r.contains("per_rank") || !r["per_rank"].is_array()) return out;
  for (const auto& rank : r["per_rank"]) {
    if (!rank.contains(rank_key)) return {};
    out.push_back(rank.value(rank_key, 0.0));
  }
  return out;
}

std::string Joined(const std::vector<double>& values, int digits, double scale = 1) {
  std::string out;
  for (double v : values) out += (out.empty() ? "" : " / ") + Fixed(v / scale, digits);
  return out.empty() ? "—" : out;
}

bool IsRanked(const json& r) {
  const std::string engine = r.value("engine", "");
  return engine == "ddp" || engine == "torch-ddp";
}

std::string Row(const json& r) {
  return "| " + r.value("algo", "") + " | " + r.value("size", "") + " | " + EngineLabel(r) + " |";
}

// Per size label: the features and CSV bytes any record of that size reported.
struct SizeFacts {
  double features = -1, csv_bytes = -1;
};
std::map<std::string, SizeFacts> FactsBySize(const std::vector<json>& records) {
  std::map<std::string, SizeFacts> facts;
  for (const auto& r : records) {
    SizeFacts& f = facts[r.value("size", "")];
    if (f.features < 0) f.features = Number(r, "features");
    if (f.csv_bytes < 0) f.csv_bytes = Number(r, "csv_bytes");
  }
  return facts;
}

// The trial processes' peaks of a tasks run and the node of each.
void TrialPeaks(const json& r, std::vector<std::string>& nodes, std::vector<double>& peaks) {
  const auto trial_peaks = Numbers(r, "peak_rss_per_trial");
  const json trials = r.value("trial_results", json::array());
  for (std::size_t i = 0; i < trial_peaks.size(); ++i) {
    nodes.push_back(i < trials.size() ? trials[i].value("node", "?") : "?");
    peaks.push_back(trial_peaks[i]);
  }
  if (trial_peaks.empty() && Number(r, "peak_rss_trial_bytes") > 0) {
    // Older records: the largest trial only, once per finished trial.
    for (const auto& t : trials) {
      if (t.value("status", "") != "TERMINATED") continue;
      nodes.push_back(t.value("node", "?"));
      peaks.push_back(Number(r, "peak_rss_trial_bytes"));
    }
  }
}

}  // namespace

Spread SpreadOf(std::span<const double> values) {
  Spread s;
  s.count = static_cast<int>(values.size());
  if (values.empty()) return s;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  s.argmin = static_cast<int>(lo - values.begin());
  s.argmax = static_cast<int>(hi - values.begin());
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  s.median = sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return s;
}

std::map<std::string, double> PeakSumPerNode(std::span<const std::string> nodes,
                                             std::span<const double> peaks) {
  std::map<std::string, double> sums;
  for (std::size_t i = 0; i < peaks.size() && i < nodes.size(); ++i) sums[nodes[i]] += peaks[i];
  return sums;
}

MachineMemory MachinePeak(const json& r) {
  if (Number(r, "peak_rss_machine_bytes") > 0) return {Number(r, "peak_rss_machine_bytes"), true};
  std::vector<std::string> nodes;
  std::vector<double> peaks;
  if (r.value("engine", "") == "tasks") {
    TrialPeaks(r, nodes, peaks);
    if (peaks.empty()) return {0, false};
    // The driver runs on the head, beside its trials; one node here.
    nodes.push_back(nodes.front());
    peaks.push_back(std::max(0.0, Number(r, "peak_rss_bytes")));
  } else {
    peaks = Numbers(r, "peak_rss_per_rank");
    if (peaks.empty()) return {std::max(0.0, Number(r, "peak_rss_bytes")), true};
    const json per_rank = r.value("per_rank", json::array());
    for (std::size_t i = 0; i < peaks.size(); ++i) {
      nodes.push_back(
          i < per_rank.size() && per_rank[i].contains("node") ? per_rank[i]["node"].dump() : "0");
    }
  }
  double busiest = 0;
  for (const auto& [node, bytes] : PeakSumPerNode(nodes, peaks)) busiest = std::max(busiest, bytes);
  return {busiest, false};
}

bool IsFaultRecord(const json& r) { return r.contains("fault") && r["fault"].is_object(); }

std::string MemorySubsection(const std::vector<json>& records) {
  const auto facts = FactsBySize(records);
  std::string rows;
  bool any_upper_bound = false;
  for (const auto& r : records) {
    if (!IsOk(r) || IsFaultRecord(r)) continue;
    const SizeFacts& f = facts.at(r.value("size", ""));
    const double rows_n = Number(r, "rows");
    const double dataset = rows_n > 0 && f.features > 0 ? rows_n * f.features * 4 : -1;
    std::vector<double> processes = Numbers(r, "peak_rss_per_rank");
    if (processes.empty()) processes = Numbers(r, "peak_rss_per_trial");
    const MachineMemory machine = MachinePeak(r);
    any_upper_bound = any_upper_bound || (machine.bytes > 0 && !machine.sampled);
    rows += Row(r) + " " + MiB(dataset) + " | " + MiB(f.csv_bytes) + " | " +
            MiB(Number(r, "peak_rss_bytes")) + " | " + Joined(processes, 0, kMiB) + " | " +
            MiB(machine.bytes) + (machine.bytes > 0 && !machine.sampled ? " (Σ)" : "") + " | " +
            (machine.bytes > 0 && dataset > 0 ? Fixed(machine.bytes / dataset, 1) : "—") + " |\n";
  }
  if (rows.empty()) return "No run finished.\n\n";
  std::string out =
      "The dataset in memory is rows × features × 4 bytes (float32, the paper's 10 features); "
      "the CSV is the file on disk. Largest process: the run's biggest (ddp: a rank; tasks: the "
      "driver; peers: the interpreter). Processes: each rank's (ddp) or trial's (tasks) own peak. "
      "Machine peak: the sum over every process of the run (launcher and ranks; tune driver, "
      "node agent, object store and workers) sampled together every 0.1 s by `scaleml bench`; "
      "\"(Σ)\" marks runs recorded before that sampling, where it is the sum of the processes' own "
      "peaks (an upper bound: they need not peak together). One machine here, so per machine is "
      "per run.\n\n"
      "| algorithm | size | engine | dataset MiB | CSV MiB | largest process MiB | processes MiB | "
      "machine peak MiB | machine / dataset |\n"
      "|---|---|---|---:|---:|---:|---|---:|---:|\n" +
      rows + "\n";
  if (any_upper_bound) {
    out +=
        "Missing from the (Σ) rows: the launcher's and the node agent's own memory, and the "
        "moment of the peak; rerun the suite to record the sampled machine peak.\n\n";
  }
  return out;
}

namespace {

std::string RankLoadRows(const std::vector<json>& records, int& without) {
  std::string rows;
  for (const auto& r : records) {
    if (!IsOk(r) || !IsRanked(r) || IsFaultRecord(r)) continue;
    const auto fit = PerRank(r, "rank_fit_s", "fit_s");
    if (fit.size() < 2) {
      ++without;
      continue;
    }
    const auto comm = PerRank(r, "rank_comm_s", "comm_s");
    const auto total = PerRank(r, "rank_total_s", "total_s");
    const Spread s = SpreadOf(fit);
    // Who waited: the rank longest in collectives; where the ranks never talk while training
    // (the paper's mode), the one that finished first and waited at the final gather.
    std::string waited = "—";
    const Spread in_comm = SpreadOf(comm);
    if (in_comm.count > 0 && in_comm.max > 0) {
      waited = "rank " + std::to_string(in_comm.argmax) + " (" + Fixed(in_comm.max, 2) +
               " s in collectives)";
    } else if (total.size() == fit.size()) {
      const Spread t = SpreadOf(total);
      waited =
          "rank " + std::to_string(t.argmin) + " (" + Fixed(t.max - t.min, 2) + " s at the end)";
    }
    rows += Row(r) + " " + Joined(fit, 2) + " | " + Joined(comm, 2) + " | " + Fixed(s.Ratio(), 2) +
            " | " + Fixed(s.Excess(), 2) + " | rank " + std::to_string(s.argmax) + " | " + waited +
            " |\n";
  }
  return rows;
}

std::string TrialLoadRows(const std::vector<json>& records) {
  std::string rows;
  for (const auto& r : records) {
    if (!IsOk(r) || r.value("engine", "") != "tasks" || IsFaultRecord(r)) continue;
    std::vector<double> times;
    std::map<std::string, double> per_node;
    for (const auto& t : r.value("trial_results", json::array())) {
      if (t.value("status", "") != "TERMINATED") continue;
      times.push_back(t.value("time_s", 0.0));
      per_node[t.value("node", "?")] += t.value("time_s", 0.0);
    }
    if (times.empty()) continue;
    const Spread s = SpreadOf(times);
    std::vector<double> node_times;
    std::string nodes;
    for (const auto& [node, seconds] : per_node) {
      node_times.push_back(seconds);
      nodes += (nodes.empty() ? "" : ", ") + node + ": " + Fixed(seconds, 2);
    }
    const Spread n = SpreadOf(node_times);
    rows += Row(r) + " " + Joined(times, 2) + " | " + Fixed(s.Ratio(), 2) + " | " +
            Fixed(s.Excess(), 2) + " | trial " + std::to_string(s.argmax) + " | " + nodes + " | " +
            (n.count > 1 ? Fixed(n.Ratio(), 2) : "— (one node)") + " |\n";
  }
  return rows;
}

}  // namespace

std::string LoadBalanceSubsection(const std::vector<json>& records) {
  int without = 0;
  const std::string ranks = RankLoadRows(records, without);
  const std::string trials = TrialLoadRows(records);
  std::string out;
  out +=
      "Ranks (ddp, torch-ddp): each rank's fit seconds (its collectives included) and seconds "
      "inside collectives, gathered by rank 0 at the end of the job; max/min and max − median of "
      "the fit times; the slowest rank, and the rank that waited most: longest in collectives "
      "(one model: every collective waits for the slowest rank) or, where the ranks never talk "
      "while training (the paper's mode, torch-ddp), the first to finish, which waits for the "
      "last at the final gather.\n\n";
  if (!ranks.empty()) {
    out +=
        "| algorithm | size | engine | fit s per rank | in collectives s per rank | fit max/min | "
        "fit max − median s | slowest | waited most |\n"
        "|---|---|---|---|---|---:|---:|---|---|\n" +
        ranks + "\n";
  }
  if (without > 0) {
    out += std::to_string(without) +
           " ranked run(s) have no per-rank times (recorded before rank_fit_s and rank_comm_s "
           "were kept): rerun the suite.\n\n";
  }
  if (ranks.empty() && without == 0) out += "No ranked run here.\n\n";
  out +=
      "Trials (tasks): each finished trial's seconds (start to result on its worker), their "
      "spread and the slowest trial; per node, the trial seconds it ran.\n\n";
  out += trials.empty()
             ? "No tasks run here.\n\n"
             : "| algorithm | size | engine | trial s | max/min | max − median s | slowest | "
               "trial s per node | node max/min |\n"
               "|---|---|---|---|---:|---:|---|---|---:|\n" +
                   trials + "\n";
  return out;
}

std::string FaultSubsection(const std::vector<json>& records) {
  std::string rows;
  for (const auto& r : records) {
    if (!IsFaultRecord(r)) continue;
    const json& f = r["fault"];
    const std::string outcome =
        IsOk(r) ? f.value("outcome", "") : "failed: " + r.value("error", "");
    rows += "| " + f.value("engine", "?") + " | " + r.value("size", "") + " | " +
            f.value("algo", "") + " | " + f.value("signal", "") + " " + f.value("target", "") +
            " | " + OptionalCell(Number(f, "kill_after_s"), 2) + " | " +
            OptionalCell(Number(f, "detect_s"), 2) + " | " +
            OptionalCell(Number(f, "recover_s"), 2) + " | " + OptionalCell(Number(f, "lost_s"), 2) +
            " | " + OptionalCell(Number(f, "lost_cpu_s"), 2) + " | " + outcome + " |\n";
  }
  std::string out =
      "One small extra run per engine and size (`scaleml bench --suite promises`): the run "
      "starts, the fault is injected at a fixed fraction of the run's expected time, and the "
      "times are read from the processes and the run's own records. ddp: a rank is killed; "
      "detected = from the kill to the moment every rank and the launcher have exited with the "
      "lost rank named (the group failed; the launcher does not restart it, so nothing recovers "
      "and the work lost is the whole run so far). tasks: a worker process running a trial is "
      "killed; detected = from the kill to the trial's retry starting, recovered = from the kill "
      "to the experiment's end with every trial finished; lost = the seconds the killed attempt "
      "had run (its CPU seconds beside it).\n\n";
  if (rows.empty()) {
    return out +
           "No fault run here: `scaleml bench --suite promises --sizes SIZE --out DIR` adds "
           "them to this folder's results.\n\n";
  }
  return out +
         "| engine | size | algorithm | fault | killed after s | detected s | recovered s | work "
         "lost s | lost CPU s | outcome |\n"
         "|---|---|---|---|---:|---:|---:|---:|---:|---|\n" +
         rows + "\n";
}

namespace {

std::string NetworkFileTables(const std::vector<json>& network) {
  std::string latency, transfer;
  for (const auto& n : network) {
    const std::string kind = n.value("kind", "");
    if (kind == "collective_latency") {
      latency += "| " + n.value("transport", "?") + " | " + std::to_string(n.value("ranks", 0)) +
                 " | " + n.value("op", "?") + " | " +
                 std::to_string(n.value("bytes", std::int64_t{0})) + " | " +
                 OptionalCell(Number(n, "median_s") * 1e6, 1) + " | " +
                 OptionalCell(Number(n, "p95_s") * 1e6, 1) + " |\n";
    } else if (kind == "object_transfer") {
      transfer += "| " + n.value("transport", "?") + " | " +
                  std::to_string(n.value("bytes", std::int64_t{0})) + " | " +
                  OptionalCell(Number(n, "seconds"), 4) + " | " +
                  OptionalCell(Number(n, "bytes_per_s") / kMiB, 1) + " |\n";
    }
  }
  std::string out;
  if (!latency.empty()) {
    out +=
        "Collective latency by message size (median and 95th percentile over repeats):\n\n"
        "| transport | ranks | op | bytes | median µs | p95 µs |\n"
        "|---|---:|---|---:|---:|---:|\n" +
        latency + "\n";
  }
  if (!transfer.empty()) {
    out +=
        "Object transfer between nodes (a node pulls a dataset object from another):\n\n"
        "| transport | bytes | seconds | MiB/s |\n|---|---:|---:|---:|\n" +
        transfer + "\n";
  }
  return out;
}

}  // namespace

std::string NetworkSubsection(const std::vector<json>& records, const std::vector<json>& network) {
  std::string out = NetworkFileTables(network);
  if (out.empty()) {
    out = std::string("No network.jsonl in this results folder: it is written by ") +
          kNetworkCommand + ".\n\n";
  }
  std::string rows;
  for (const auto& r : records) {
    if (!IsOk(r) || IsFaultRecord(r)) continue;
    const std::string engine = r.value("engine", "");
    const double total = Number(r, "total_s");
    double moved_s = -1, bytes = -1;
    if (engine == "ddp" || engine == "torch-ddp") {
      moved_s = Number(r, "comm_s");
      bytes = Number(r, "comm_bytes_total");
      if (bytes < 0) bytes = Number(r, "comm_bytes");
    } else if (engine == "tasks") {
      moved_s = Number(r, "object_transfer_s");
    }
    if (moved_s < 0) continue;
    rows += Row(r) + " " + Fixed(moved_s, 2) + " | " + OptionalCell(total, 2) + " | " +
            (total > 0 ? Fixed(100 * moved_s / total, 1) + " %" : "—") + " | " +
            (bytes >= 0 ? Fixed(bytes / kMiB, 1) : "—") + " |\n";
  }
  out +=
      "Share of each run spent moving data: ddp, seconds in collectives (rank 0's; torch-ddp: "
      "the final gather) over the run's total, and the bytes sent by all ranks together; tasks, "
      "the driver's put of the dataset into the object store over the whole tune run.\n\n";
  out += rows.empty() ? "No ddp or tasks run here.\n\n"
                      : "| algorithm | size | engine | moving data s | total s | share | MiB "
                        "moved |\n|---|---|---|---:|---:|---:|---:|\n" +
                            rows + "\n";
  return out;
}

std::string ResponsivenessSubsection(const std::vector<json>& records) {
  std::string rows;
  for (const auto& r : records) {
    if (!IsOk(r) || IsFaultRecord(r)) continue;
    const std::string engine = r.value("engine", "");
    double loaded = Number(r, "time_to_data_loaded_s");
    if (loaded < 0 && engine != "tasks") loaded = Number(r, "load_s");
    if (loaded < 0 && engine == "tasks" && Number(r, "load_s") >= 0) {
      loaded = Number(r, "load_s") + std::max(0.0, Number(r, "object_transfer_s"));
    }
    double running = Number(r, "time_to_first_trial_running_s");
    if (running < 0 && engine == "tasks" && Number(r, "scheduling_s") >= 0) {
      // Older records: the first start is load + put + submit-to-start by construction.
      running = Number(r, "load_s") + std::max(0.0, Number(r, "object_transfer_s")) +
                Number(r, "scheduling_s");
    }
    rows += Row(r) + " " + OptionalCell(loaded, 2) + " | " +
            OptionalCell(Number(r, "time_to_all_ranks_joined_s"), 2) + " | " +
            OptionalCell(running, 2) + " | " + OptionalCell(Number(r, "scheduling_s"), 2) + " | " +
            OptionalCell(Number(r, "time_to_first_result_s"), 2) + " |\n";
  }
  if (rows.empty()) return "No run finished.\n\n";
  return "Seconds from the command's start: data loaded (local and peers: the process's load "
         "phase; tasks: loaded by the driver and put into the object store; ddp: every rank "
         "joined and loaded its part); every rank joined the group (ddp); the first trial "
         "running (tasks) and, beside it, submit to start (the first trial's start less the "
         "moment its task could be submitted); the first result (a single run: the whole run; "
         "tasks: the first trial's end).\n\n"
         "| algorithm | size | engine | data loaded s | all ranks joined s | first trial running "
         "s | submit to start s | first result s |\n"
         "|---|---|---|---:|---:|---:|---:|---:|\n" +
         rows + "\n";
}

std::string PromisesSection(const std::vector<json>& records, const std::vector<json>& network) {
  std::string out =
      "## The five promises\n\n"
      "The paper's abstract promised to compare memory efficiency, load balancing, fault "
      "tolerance, network latency and responsiveness, and measured none of them. Each is measured "
      "here for every engine and, where their records have it, the Python peers.\n\n";
  out += "### 1. Memory efficiency\n\n" + MemorySubsection(records);
  out += "### 2. Load balancing\n\n" + LoadBalanceSubsection(records);
  out += "### 3. Fault tolerance\n\n" + FaultSubsection(records);
  out += "### 4. Network latency\n\n" + NetworkSubsection(records, network);
  out += "### 5. Responsiveness\n\n" + ResponsivenessSubsection(records);
  return out;
}

}  // namespace scaleml::bench
