#include "bench/ReportWriter.h"

#include <filesystem>
#include <set>

#include "bench/PromisesSection.h"
#include "bench/ReportTables.h"
#include "bench/ResultsFile.h"
#include "bench/RunStatus.h"
#include "bench/SizeTables.h"
#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<json> WithoutFaultRuns(const std::vector<json>& records) {
  std::vector<json> out;
  for (const auto& r : records) {
    if (!IsFaultRecord(r)) out.push_back(r);
  }
  return out;
}

std::string RenderReport(const std::vector<json>& all, const FigureSet& figures,
                         const std::vector<json>& network) {
  // Fault runs are measured only in the promises section; the other tables compare normal runs.
  const auto all_latest = LatestRecords(all);
  const auto records = WithoutFaultRuns(all_latest);
  int ok = 0, failed = 0, skipped = 0, timed_out = 0, out_of_memory = 0;
  std::set<std::string> suites;
  json machine, version;
  for (const auto& r : all_latest) {
    const RunStatus status = StatusOf(r);
    ok += status == RunStatus::kOk;
    failed += status == RunStatus::kFailed;
    skipped += status == RunStatus::kSkipped;
    timed_out += status == RunStatus::kTimedOut;
    out_of_memory += status == RunStatus::kOutOfMemory;
    suites.insert(r.value("suite", "?"));
    if (machine.is_null() && r.contains("machine")) machine = r["machine"];
    if (version.is_null() && r.contains("version")) {
      version = r.value("version", "") + " (" + r.value("git_commit", "") + ")";
    }
  }
  std::string suite_list;
  for (const auto& s : suites) suite_list += (suite_list.empty() ? "" : ", ") + s;
  std::string out = "# scaleml benchmark report\n\n";
  if (!machine.is_null()) {
    char memory[32];
    std::snprintf(memory, sizeof(memory), "%.1f",
                  machine.value("memory_bytes", 0.0) / (1024.0 * 1024 * 1024));
    out += "Machine: " + machine.value("cpu", "unknown") + ", " +
           std::to_string(machine.value("cores", 0)) + " cores, " + memory + " GiB memory (" +
           machine.value("system", "") + ").  \n";
  }
  if (!version.is_null()) out += "scaleml " + version.get<std::string>() + ".  \n";
  out += "Suites: " + suite_list + ". Runs: " + std::to_string(ok) + " ok, " +
         std::to_string(failed) + " failed, " +
         (timed_out > 0 ? std::to_string(timed_out) + " out of time, " : "") +
         (out_of_memory > 0 ? std::to_string(out_of_memory) + " out of memory, " : "") +
         std::to_string(skipped) + " skipped.\n\n";
  out +=
      "Times are wall seconds per phase as each engine reports them; total is the engine's own "
      "total (tasks: the whole tune run, driver load and put included). Compute = fit + "
      "predict.\n\n";
  out += "## Results per algorithm\n\n" + PerAlgorithmTables(records);
  out += "## Accuracy by algorithm\n\n" + AccuracyTable(records) + "\n";
  const std::string accuracy_by_size = AccuracyAgainstSizeTable(records);
  if (!accuracy_by_size.empty()) {
    out +=
        "## Accuracy against size\n\nThe local engine's test accuracy at every size, on the "
        "paper's data (per-chunk: an independent make_classification problem per 300,000-row "
        "chunk) and on one problem for the whole file (one). Figure: accuracy-size.\n\n" +
        accuracy_by_size + "\n";
  }
  const std::string seconds_by_size = SecondsAgainstSizeTable(records);
  if (!seconds_by_size.empty()) {
    out +=
        "## Seconds against size\n\nEvery engine's and peer's total seconds at every size. A "
        "run killed at its time limit shows as \"> limit\"; a peer that ran out of time or "
        "memory at a smaller size is not run again at larger ones (skipped).\n\n" +
        seconds_by_size + "\n";
  }
  out += "## Against the paper's published figures\n\n";
  out +=
      "The paper's Ray timer starts after the CSV is loaded and its PyTorch timer includes "
      "loading; scaleml's columns are timed the same way. \"—\": no run at that size here.\n\n";
  out += PaperComparisonTable(records) + "\n";
  const std::string peers = PeerRatioTable(records);
  out += "## Against the Python peers (same machine, same run, same files)\n\n";
  out += peers.empty()
             ? "No Python peer ran (it needs /usr/bin/python3 with scikit-learn, pandas "
               "and xgboost; the torch-ddp peer also torch).\n\n"
             : "Pairs: local against python (pandas read_csv, scikit-learn / XGBoost); the ddp "
               "engine's paper mode against torch-ddp (the paper's PyTorch pipeline: torchrun "
               "gloo ranks, each reading the whole file and training alone on a random 1/N of "
               "the training rows). A ratio above 1 means scaleml was faster. Total: the program's "
               "own "
               "timer (load, fit, predict; for ranks the slowest rank's); wall: the whole "
               "process from start to exit, interpreter and launcher start-up included.\n\n" +
                   peers + "\n";
  const std::string missing_peer = MissingPeerNote(records);
  if (!missing_peer.empty()) out += missing_peer + "\n";
  const std::string scaling = ScalingTable(records);
  if (!scaling.empty()) {
    out +=
        "## Scaling\n\nddp: one model, speed-up = t(1 rank) / t(n ranks). tasks: n trials, "
        "speed-up = n t(1 trial) / t(n trials). Efficiency = speed-up / n. Comm: seconds in "
        "collectives (rank 0) and bytes sent by all ranks together.\n\n" +
        scaling + "\n";
  }
  out += PromisesSection(all_latest, network);
  out += "## Figures\n\n";
  for (const auto& stem : figures.made) {
    out += "![" + stem + "](figures/" + stem + ".png) ([SVG](figures/" + stem + ".svg))\n\n";
  }
  if (!figures.note.empty()) out += figures.note + "\n";
  if (figures.made.empty() && figures.note.empty()) out += "No figure: no run finished.\n\n";
  const std::string problems = ProblemTable(records);
  if (!problems.empty()) out += "## Failed and skipped runs\n\n" + problems + "\n";
  return out;
}

std::string WriteReport(const std::vector<std::string>& dirs, const std::string& out_dir) {
  std::vector<json> records;
  std::vector<json> network;
  for (const auto& dir : dirs) {
    const std::string results_path = (fs::path(dir) / "results.jsonl").string();
    if (!fs::exists(results_path)) throw InputError(results_path, ": no such file");
    for (auto& r : ResultsFile(results_path).ReadAll()) records.push_back(std::move(r));
    // Collective latency and object transfer, when the network measurement wrote them there.
    for (auto& r : ResultsFile((fs::path(dir) / "network.jsonl").string()).ReadAll()) {
      network.push_back(std::move(r));
    }
  }
  fs::create_directories(out_dir);
  const FigureSet figures = MakeFigures(WithoutFaultRuns(LatestRecords(records)), out_dir);
  const std::string path = (fs::path(out_dir) / "report.md").string();
  WriteFileAtomically(path, RenderReport(records, figures, network));
  return path;
}

std::string WriteReport(const std::string& dir) { return WriteReport({dir}, dir); }

}  // namespace scaleml::bench
