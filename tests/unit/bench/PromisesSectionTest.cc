// "The five promises" from fixed records: tests/data/bench/promises/results.jsonl (every engine,
// both peers, a ddp and a tasks fault run) and network.jsonl, against hand-computed rows; the
// spread and per-machine sums on their own.
#include <gtest/gtest.h>

#include "bench/BenchRunner.h"
#include "bench/FigureMaker.h"
#include "bench/PromisesSection.h"
#include "bench/ReportWriter.h"
#include "bench/ResultsFile.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

const std::string kDir = std::string(SCALEML_TEST_DATA) + "/bench/promises/";

std::vector<json> Records() { return ResultsFile(kDir + "results.jsonl").ReadAll(); }
std::vector<json> Network() { return ResultsFile(kDir + "network.jsonl").ReadAll(); }

void ExpectHas(const std::string& text, const std::string& fragment) {
  EXPECT_NE(text.find(fragment), std::string::npos) << "missing: " << fragment << "\n" << text;
}

TEST(SpreadTest, OddCountMedianSlowestAndFastest) {
  const std::vector<double> fit = {8.0, 6.0, 7.0};
  const Spread s = SpreadOf(fit);
  EXPECT_EQ(s.count, 3);
  EXPECT_DOUBLE_EQ(s.min, 6.0);
  EXPECT_DOUBLE_EQ(s.median, 7.0);
  EXPECT_DOUBLE_EQ(s.max, 8.0);
  EXPECT_EQ(s.argmax, 0);
  EXPECT_EQ(s.argmin, 1);
  EXPECT_NEAR(s.Ratio(), 8.0 / 6.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.Excess(), 1.0);
}

TEST(SpreadTest, EvenCountMedianIsTheMeanOfTheMiddleTwo) {
  const std::vector<double> times = {1.0, 10.0, 3.0, 2.0};
  const Spread s = SpreadOf(times);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.Excess(), 7.5);
  EXPECT_EQ(s.argmax, 1);
}

TEST(SpreadTest, EmptyAndZeroMinimum) {
  EXPECT_EQ(SpreadOf({}).count, 0);
  const std::vector<double> zeros = {0.0, 0.0};
  EXPECT_DOUBLE_EQ(SpreadOf(zeros).Ratio(), 0.0);  // no division by zero
}

TEST(MachineMemoryTest, SumsEachNodesProcesses) {
  const std::vector<std::string> nodes = {"a", "b", "a"};
  const std::vector<double> peaks = {1.0, 2.0, 3.0};
  const auto sums = PeakSumPerNode(nodes, peaks);
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_DOUBLE_EQ(sums.at("a"), 4.0);
  EXPECT_DOUBLE_EQ(sums.at("b"), 2.0);
}

TEST(MachineMemoryTest, SampledPeakFirstThenTheBusiestNodesSum) {
  const MachineMemory sampled =
      MachinePeak({{"peak_rss_machine_bytes", 500}, {"peak_rss_per_rank", {100, 200}}});
  EXPECT_TRUE(sampled.sampled);
  EXPECT_DOUBLE_EQ(sampled.bytes, 500);
  // Ranks on two nodes: the busiest node's sum.
  const json ddp = {{"engine", "ddp"},
                    {"peak_rss_per_rank", {100, 200, 300}},
                    {"per_rank", {{{"node", 0}}, {{"node", 1}}, {{"node", 0}}}}};
  const MachineMemory ranks = MachinePeak(ddp);
  EXPECT_FALSE(ranks.sampled);
  EXPECT_DOUBLE_EQ(ranks.bytes, 400);
  // tasks: the trials and the driver beside them.
  const json tasks = {{"engine", "tasks"},
                      {"peak_rss_bytes", 50},
                      {"peak_rss_per_trial", {100, 200}},
                      {"trial_results", {{{"node", "local"}}, {{"node", "local"}}}}};
  EXPECT_DOUBLE_EQ(MachinePeak(tasks).bytes, 350);
  EXPECT_DOUBLE_EQ(MachinePeak({{"engine", "local"}}).bytes, 0);
}

TEST(MergeTest, RankArraysJoinedAndPerNodeSums) {
  json record = {{"started_unix", 1000.0}};
  const json report = {{"accuracy", 0.9},
                       {"total_s", 5.0},
                       {"per_rank",
                        {{{"rank", 0},
                          {"node", 0},
                          {"fit_s", 3.0},
                          {"comm_s", 0.5},
                          {"total_s", 5.0},
                          {"connect_s", 0.1},
                          {"load_s", 1.0},
                          {"peak_rss_bytes", 100},
                          {"joined_unix", 1000.2}},
                         {{"rank", 1},
                          {"node", 0},
                          {"fit_s", 2.0},
                          {"comm_s", 1.5},
                          {"total_s", 5.0},
                          {"connect_s", 0.3},
                          {"load_s", 1.5},
                          {"peak_rss_bytes", 150},
                          {"joined_unix", 1000.4}}}}};
  MergeTrainReport(report, record);
  EXPECT_EQ(record["rank_fit_s"], json({3.0, 2.0}));
  EXPECT_EQ(record["rank_comm_s"], json({0.5, 1.5}));
  EXPECT_NEAR(record["time_to_all_ranks_joined_s"].get<double>(), 0.4, 1e-9);
  EXPECT_NEAR(record["time_to_data_loaded_s"].get<double>(), 1.9, 1e-9);
  EXPECT_EQ(record["peak_rss_sum_per_node"]["0"], 250);
}

TEST(MergeTest, TuneSummaryKeepsEachTrialsPeakAndTheFirstTrialRunning) {
  json record;
  const json summary = {
      {"load_s", 1.0},
      {"put_s", 0.5},
      {"total_s", 10.0},
      {"trials",
       {{{"status", "TERMINATED"},
         {"node", "local"},
         {"time_s", 4.0},
         {"started", 102.0},
         {"finished", 106.0},
         {"accuracy", 0.9},
         {"result", {{"peak_rss_bytes", 300}}}},
        {{"status", "ERROR"}, {"node", "local"}, {"time_s", 1.0}, {"attempts", 3}}}}};
  MergeTuneSummary(summary, 100.0, record);
  EXPECT_EQ(record["peak_rss_per_trial"], json({300, 0}));
  EXPECT_DOUBLE_EQ(record["time_to_first_trial_running_s"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(record["time_to_data_loaded_s"].get<double>(), 1.5);
  EXPECT_EQ(record["trial_results"][1]["attempts"], 3);
}

TEST(PromisesReportTest, FiveSubsectionsWithTheirNumbers) {
  const std::string report = RenderReport(Records(), FigureSet{}, Network());
  ExpectHas(report, "## The five promises");
  for (const char* heading :
       {"### 1. Memory efficiency", "### 2. Load balancing", "### 3. Fault tolerance",
        "### 4. Network latency", "### 5. Responsiveness"}) {
    ExpectHas(report, heading);
  }
  // The old section is folded in, not kept beside it.
  EXPECT_EQ(report.find("## Memory and responsiveness"), std::string::npos);
  // 1. dataset 5e6 x 10 x 4 B = 191 MiB; sampled machine peaks, and the ranks' sum marked (Σ).
  ExpectHas(report, "| gbdt | 1GB | local | 191 | 500 | 544 | — | 560 | 2.9 |");
  ExpectHas(report, "| gbdt | 1GB | tasks x2 | 191 | 500 | 507 | 734 / 789 | 1600 | 8.4 |");
  ExpectHas(report, "| gbdt | 1GB | ddp x3 | 191 | 500 | 320 | 300 / 310 / 320 | 930 (Σ) | 4.9 |");
  ExpectHas(report,
            "| gbdt | 1GB | torch-ddp x3 | 191 | 500 | 1243 | 1243 / 1243 / 1243 | "
            "3729 (Σ) |");
  // 2. the spread and who waited.
  ExpectHas(report,
            "| gbdt | 1GB | ddp x3 | 8.00 / 6.00 / 7.00 | 1.00 / 3.00 / 2.00 | 1.33 | 1.00 | "
            "rank 0 | rank 1 (3.00 s in collectives) |");
  ExpectHas(report,
            "| gbdt | 1GB | ddp-paper x3 | 5.00 / 5.50 / 6.00 | 0.00 / 0.00 / 0.00 | 1.20 | 0.50 "
            "| rank 2 | rank 0 (1.00 s at the end) |");
  ExpectHas(report,
            "| gbdt | 1GB | torch-ddp x3 | 13.80 / 12.00 / 13.00 | — | 1.15 | 0.80 | "
            "rank 0 | rank 1 (2.00 s at the end) |");
  ExpectHas(report,
            "| gbdt | 1GB | tasks x2 | 14.00 / 14.50 | 1.04 | 0.25 | trial 1 | "
            "local: 28.50 | — (one node) |");
  // 3. the fault runs.
  ExpectHas(report,
            "| ddp | 1GB | gbdt | SIGKILL rank 1 | 5.02 | 0.31 | — | 5.02 | 9.50 | "
            "group failed, exit 1, lost rank named, no rank left |");
  ExpectHas(report,
            "| tasks | 1GB | gbdt | SIGKILL a trial's worker | 7.32 | 0.05 | 9.80 | "
            "7.10 | 7.00 | 2/2 trials finished, 1 trial retried |");
  // 4. network.jsonl in microseconds and MiB/s, and each run's share.
  ExpectHas(report, "| loopback | 3 | allreduce | 8 | 45.0 | 80.0 |");
  ExpectHas(report, "| namespaces | 3 | allreduce | 4194304 | 12300.0 | 15000.0 |");
  ExpectHas(report, "| namespaces | 200000000 | 0.5000 | 381.5 |");
  ExpectHas(report, "| gbdt | 1GB | ddp x3 | 1.00 | 10.00 | 10.0 % | 357.6 |");
  ExpectHas(report, "| gbdt | 1GB | tasks x2 | 0.23 | 14.64 | 1.6 % | — |");
  // 5. from the command to data, group, first trial and first result.
  ExpectHas(report, "| gbdt | 1GB | local | 0.25 | — | — | — | 9.00 |");
  ExpectHas(report, "| gbdt | 1GB | ddp x3 | 1.25 | 0.40 | — | — | 10.00 |");
  ExpectHas(report, "| gbdt | 1GB | tasks x2 | 0.24 | — | 0.32 | 0.08 | 14.42 |");
}

TEST(PromisesReportTest, FaultRunsStayOutOfTheOtherTables) {
  const std::string report = RenderReport(Records(), FigureSet{}, Network());
  EXPECT_EQ(report.find("-fault"), std::string::npos);
  EXPECT_EQ(report.find("| ddp x3 | 1GB | 5000000 | — |"), std::string::npos);
  ExpectHas(report, "Runs: 8 ok, 0 failed, 0 skipped.");
}

TEST(PromisesReportTest, SaysWhatIsMissing) {
  // No network.jsonl, no fault run, records from before the per-rank times.
  std::vector<json> records;
  for (auto r : Records()) {
    if (IsFaultRecord(r)) continue;
    for (const char* key : {"rank_fit_s", "rank_comm_s", "rank_total_s", "per_rank",
                            "time_to_first_trial_running_s"}) {
      r.erase(key);
    }
    records.push_back(r);
  }
  const std::string section = PromisesSection(records, {});
  ExpectHas(section, "No network.jsonl in this results folder");
  ExpectHas(section, "No fault run here: `scaleml bench --suite promises");
  ExpectHas(section, "3 ranked run(s) have no per-rank times");
  // Older tasks records: first trial running = load + put + submit to start.
  ExpectHas(section, "| gbdt | 1GB | tasks x2 | 0.24 | — | 0.32 | 0.08 | 14.42 |");
}

}  // namespace
}  // namespace scaleml::bench
