#include "dashboard/ExperimentIndex.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dashboard/BenchmarkIndex.h"
#include "dashboard/PrometheusExporter.h"

namespace scaleml::dashboard {
namespace {

const std::string kData = std::string(SCALEML_TEST_DATA) + "/dashboard";

TEST(ExperimentIndexTest, ListsTrialsWithStatusCurvesAndTheBest) {
  ExperimentIndex index({kData + "/experiments"});
  auto list = index.List()["experiments"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "small_exp");
  EXPECT_EQ(list[0]["trials"], 5);
  EXPECT_EQ(list[0]["counts"]["TERMINATED"], 2);
  EXPECT_EQ(list[0]["counts"]["RUNNING"], 1);
  EXPECT_EQ(list[0]["counts"]["PENDING"], 1);
  EXPECT_EQ(list[0]["counts"]["ERROR"], 1);
  TrialQuery query;
  query.curve_points = 5;
  auto page = index.Trials("small_exp", query);
  ASSERT_TRUE(page);
  ASSERT_EQ((*page)["rows"].size(), 5u);
  const auto& running = (*page)["rows"][2];
  EXPECT_EQ(running["status"], "RUNNING");
  EXPECT_EQ(running["iteration"], 9);  // the last reported round
  EXPECT_LE(running["curve"].size(), 6u);
  int best = 0;
  for (const auto& row : (*page)["rows"]) best += row["best"].get<bool>();
  EXPECT_EQ(best, 1);
  EXPECT_EQ((*page)["best"]["trial_id"], list[0]["best"]["trial_id"]);
}

TEST(ExperimentIndexTest, RefusesUnknownAndTraversingNames) {
  ExperimentIndex index({kData + "/experiments"});
  for (const char* name : {"..", "../experiments", "nope", "small_exp/.."}) {
    EXPECT_FALSE(index.Trials(name, {})) << name;
  }
  EXPECT_FALSE(index.Trial("small_exp", "../small_exp_00000"));
  EXPECT_FALSE(index.TrialLog("small_exp", "..", ""));
  auto log = index.TrialLog("small_exp", "small_exp_00000", "");
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)["lines"][0], "fixture log line 1 of small_exp_00000");
}

// An experiment of `n` finished trials with 30 reported rounds each, as tune leaves it.
void WriteExperiment(const std::filesystem::path& dir, int n) {
  nlohmann::json state = {{"algo", "gbdt"}, {"metric", "accuracy"}, {"mode", "max"}};
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "big_exp_%05d", i);
    state["trials"].push_back({{"trial_id", id}, {"config", {{"lr", 0.001 * i}}}});
    std::filesystem::create_directories(dir / id);
    const double final_metric = 0.5 + 0.4 * ((i * 37) % 1000) / 1000.0;
    std::ofstream(dir / id / "result.json")
        << nlohmann::json({{"status", "TERMINATED"}, {"metric", final_metric}, {"node", "head"}})
               .dump();
    std::ofstream curve(dir / id / "result.jsonl");
    for (int round = 0; round < 30; ++round) {
      curve << nlohmann::json({{"iteration", round},
                               {"metric", final_metric * (round + 1) / 30},
                               {"metric_name", "accuracy"},
                               {"time_s", 0.1 * round}})
                   .dump()
            << "\n";
    }
  }
  std::ofstream(dir / "experiment_state.json") << state.dump();
}

TEST(ExperimentIndexTest, PagesAThousandTrialsQuickly) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("scaleml_dashboard_test_" + std::to_string(getpid())) / "big_exp";
  WriteExperiment(dir, 1000);
  ExperimentIndex index({dir.string()});
  TrialQuery query;
  query.limit = 100;
  query.sort = "metric";
  query.descending = true;
  query.curve_points = 60;
  const auto cold_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(index.Trials("big_exp", query));  // first read: parses every file
  const double cold_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cold_start)
          .count();
  double slowest_ms = 0;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto page = index.Trials("big_exp", query);
    slowest_ms =
        std::max(slowest_ms,
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    ASSERT_TRUE(page);
    EXPECT_EQ((*page)["total"], 1000);
    EXPECT_EQ((*page)["rows"].size(), 100u);
    EXPECT_TRUE((*page)["rows"][0]["best"].get<bool>());  // sorted by metric, descending
  }
  query.offset = 950;
  EXPECT_EQ(index.Trials("big_exp", query)->at("rows").size(), 50u);
  std::printf(
      "1,000 trials, a page of 100 with curves: first read (2,000 files parsed) %.1f ms, then "
      "%.1f ms (slowest of 5)\n",
      cold_ms, slowest_ms);
  std::filesystem::remove_all(dir.parent_path());
}

TEST(BenchmarkIndexTest, RecordsReportAndOnlyListedFigures) {
  BenchmarkIndex index({kData + "/results"});
  auto list = index.List()["benchmarks"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "bench_demo");
  EXPECT_EQ(list[0]["runs"], 13);
  auto bench = index.Benchmark("bench_demo");
  ASSERT_TRUE(bench);
  EXPECT_NE((*bench)["report_md"].get<std::string>().find("| algo |"), std::string::npos);
  EXPECT_TRUE(index.FigureFile("bench_demo", "accuracy.svg"));
  EXPECT_FALSE(index.FigureFile("bench_demo", "../report.md"));
  EXPECT_FALSE(index.FigureFile("bench_demo", "report.md"));
  EXPECT_FALSE(index.Benchmark(".."));
}

TEST(PrometheusExporterTest, TextFormat) {
  nlohmann::json status = {{"address", "127.0.0.1:1"},
                           {"cpus_total", 4},
                           {"cpus_used", 1},
                           {"nodes",
                            {{{"name", "he\"ad"},
                              {"node_id", "n1"},
                              {"state", "ALIVE"},
                              {"object_bytes", 10},
                              {"store_limit", 100},
                              {"spilled_bytes", 0},
                              {"used_cpus", 1}}}},
                           {"tasks", {{"pending", 1}, {"running", 2}, {"done", 3}, {"failed", 0}}}};
  LatencyHistogram latencies;
  latencies.Add(0.2);
  latencies.Add(7);
  const std::string text = PrometheusExporter::Render(status, latencies, {{"RUNNING", 2}});
  EXPECT_NE(text.find("scaleml_nodes{state=\"alive\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("scaleml_object_store_bytes{node=\"he\\\"ad\",node_id=\"n1\"} 10\n"),
            std::string::npos);
  EXPECT_NE(text.find("scaleml_tasks{state=\"running\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("scaleml_trials{state=\"RUNNING\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("scaleml_task_run_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("scaleml_task_run_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("scaleml_task_run_seconds_count 2\n"), std::string::npos);
}

}  // namespace
}  // namespace scaleml::dashboard
