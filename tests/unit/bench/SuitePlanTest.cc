#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "bench/BenchRunner.h"
#include "bench/SuitePlan.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace {

TEST(SuitePlanTest, SizesInPaperGigabytesAndRows) {
  EXPECT_EQ(RowsOfSize("1GB"), 5000000);
  EXPECT_EQ(RowsOfSize("2GB"), 10000000);
  EXPECT_EQ(RowsOfSize("500MB"), 2500000);
  EXPECT_EQ(RowsOfSize("100k"), 100000);
  EXPECT_EQ(RowsOfSize("20000"), 20000);
  EXPECT_THROW(RowsOfSize("big"), Error);
  EXPECT_THROW(RowsOfSize("10"), Error);
  EXPECT_THROW(RowsOfSize("3TB"), Error);
}

TEST(SuitePlanTest, QuickRunsEveryAlgorithmOnEveryEngineAndThePeer) {
  BenchOptions options;
  // The torch peer belongs to the paper suite only.
  const auto plan = PlanSuite(options, {.python = true, .torch = true}, 2);
  EXPECT_EQ(plan.size(), 20u);
  std::set<std::string> ids;
  for (const auto& s : plan) {
    ids.insert(s.Id());
    EXPECT_EQ(s.rows, 100000);
    if (s.engine == "ddp") {
      EXPECT_EQ(s.ranks, 2);
    }
    if (s.engine == "tasks") {
      EXPECT_EQ(s.trials, 2);
    }
    if (s.algo == "rf") {
      EXPECT_EQ(s.params, std::vector<std::string>{"n_estimators=10"});
    }
    EXPECT_NE(s.engine, "torch-ddp");
    EXPECT_EQ(s.timeout_s, 300);
  }
  EXPECT_EQ(ids.size(), plan.size());  // ids are unique: --resume can tell runs apart
  EXPECT_EQ(PlanSuite(options, {}, 2).size(), 15u);
}

TEST(SuitePlanTest, PaperHasTwoSizesThreeRanksAndRunsThePapersDdpMode) {
  BenchOptions options;
  options.suite = "paper";
  options.algos = {"logreg"};
  const auto plan = PlanSuite(options, {}, 2);
  ASSERT_EQ(plan.size(), 8u);  // (local, tasks, ddp, ddp-paper) x (1GB, 2GB)
  int paper_mode = 0;
  for (const auto& s : plan) {
    if (s.engine == "ddp") {
      EXPECT_EQ(s.ranks, 3);
      paper_mode += s.mode == "paper";
    }
    EXPECT_EQ(s.skip_reason, "") << s.Id();
  }
  EXPECT_EQ(paper_mode, 2);
  EXPECT_EQ(plan[0].rows, 5000000);
  EXPECT_EQ(plan[4].rows, 10000000);
}

TEST(SuitePlanTest, PaperRunsBothPeersBesideTheirEnginesWhenTheyImport) {
  BenchOptions options;
  options.suite = "paper";
  options.algos = {"rf", "knn"};
  options.sizes = {"1GB"};
  const auto plan = PlanSuite(options, {.python = true, .torch = true}, 2);
  ASSERT_EQ(plan.size(), 12u);  // (local, tasks, ddp, ddp-paper, python, torch-ddp) x 2 algos
  std::vector<std::string> ids;
  for (const auto& s : plan) ids.push_back(s.Id());
  EXPECT_EQ(ids[0], "paper/rf/local/1GB/r1/t0");
  EXPECT_EQ(ids[3], "paper/rf/ddp-paper/1GB/r3/t0");
  EXPECT_EQ(ids[4], "paper/rf/python/1GB/r1/t0");
  EXPECT_EQ(ids[5], "paper/rf/torch-ddp/1GB/r3/t0");
  EXPECT_EQ(ids[11], "paper/knn/torch-ddp/1GB/r3/t0");
  EXPECT_EQ(plan[5].threads, 2);  // the run's threads, shared by its 3 ranks

  // Without torch the Python peer still runs; the torch peer is dropped, not failed.
  EXPECT_EQ(PlanSuite(options, {.python = true, .torch = false}, 2).size(), 10u);
  // The torch peer is the ddp engine's: no ddp, no torch-ddp.
  options.engines = {"local"};
  const auto local_only = PlanSuite(options, {.python = true, .torch = true}, 2);
  ASSERT_EQ(local_only.size(), 4u);
  for (const auto& s : local_only) EXPECT_NE(s.engine, "torch-ddp");
  options.engines = {};
  options.no_peers = true;
  EXPECT_EQ(PlanSuite(options, {.python = true, .torch = true}, 2).size(), 8u);
}

TEST(SuitePlanTest, TimeoutsGrowWithRowsAndAreWiderForPeers) {
  BenchOptions options;
  options.suite = "paper";
  options.algos = {"rf"};
  options.sizes = {"1GB"};
  for (const auto& s : PlanSuite(options, {.python = true, .torch = true}, 2)) {
    const bool peer = s.engine == "python" || s.engine == "torch-ddp";
    EXPECT_DOUBLE_EQ(s.timeout_s, peer ? 570.0 : 270.0) << s.Id();
  }
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "python", 10000000), 1020.0);
  options.timeout_s = 42;
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "torch-ddp", 10000000), 42.0);
  options.timeout_s = 0;
  options.suite = "quick";
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "local", 10000000), 300.0);
}

TEST(CommandTest, PaperModeAndTheTorchPeerUnderTorchrun) {
  BenchOptions options;
  options.suite = "paper";
  options.binary = "/opt/scaleml";
  options.out_dir = (std::filesystem::temp_directory_path() / "scaleml-command-test").string();
  BenchRunner runner(options);
  RunSpec spec;
  spec.suite = "paper";
  spec.algo = "knn";
  spec.size = "1GB";
  spec.rows = 5000000;
  spec.threads = 2;
  spec.ranks = 3;
  spec.timeout_s = 570;
  auto has = [](const std::vector<std::string>& argv, const std::vector<std::string>& run) {
    return std::search(argv.begin(), argv.end(), run.begin(), run.end()) != argv.end();
  };
  spec.engine = "ddp";
  spec.mode = "one-model";
  const auto one_model = runner.CommandOf(spec, "d.csv", "");
  EXPECT_FALSE(has(one_model, {"--ddp-mode"}));  // the default: works before --ddp-mode exists
  EXPECT_TRUE(has(one_model, {"--timeout", "570", "--"}));
  // Rank 0 hands the report over in a versioned file beside the logs, not on stdout.
  EXPECT_TRUE(has(one_model, {"--report-file", runner.ReportFileOf(spec)}));
  spec.mode = "paper";
  const auto paper = runner.CommandOf(spec, "d.csv", "");
  EXPECT_TRUE(has(paper, {"--ddp-mode", "paper"}));
  EXPECT_TRUE(has(paper, {"--threads", "1"}));  // 2 threads shared by 3 ranks: 1 each

  spec.engine = "torch-ddp";
  spec.mode = "";
  const auto torch = runner.CommandOf(spec, "d.csv", "");
  ASSERT_GE(torch.size(), 3u);
  EXPECT_FALSE(has(torch, {"--report-file"}));  // a peer prints its JSON
  EXPECT_EQ(torch[1], "OMP_NUM_THREADS=1");
  EXPECT_EQ(torch[2], "/usr/bin/python3");
  EXPECT_TRUE(
      has(torch, {"-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", "3"}));
  EXPECT_TRUE(has(torch, {"--redirects=9:1", "--tee=9:1"}));
  const auto script = std::find_if(torch.begin(), torch.end(), [](const std::string& a) {
    return a.size() > 17 && a.substr(a.size() - 17) == "peer_torch_ddp.py";
  });
  ASSERT_NE(script, torch.end());
  EXPECT_TRUE(has(torch, {"--algo", "knn", "--data", "d.csv", "--threads", "1"}));
}

TEST(SuitePlanTest, ScalingCountsRanksAndTrials) {
  BenchOptions options;
  options.suite = "scaling";
  options.algos = {"knn"};
  options.max_ranks = 3;
  const auto plan = PlanSuite(options, {.python = true}, 2);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_EQ(plan[4].ranks, 3);
  EXPECT_EQ(plan[5].trials, 3);
}

TEST(SuitePlanTest, PromisesIsOneFaultRunPerEngineAtOneGigabyteWithoutPeers) {
  BenchOptions options;
  options.suite = "promises";
  const auto plan = PlanSuite(options, {.python = true, .torch = true}, 2);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].Id(), "promises/gbdt/ddp-fault/1GB/r3/t0");
  EXPECT_EQ(plan[1].Id(), "promises/gbdt/tasks-fault/1GB/r1/t2");
}

TEST(SuitePlanTest, BadNamesAreInputErrors) {
  BenchOptions options;
  options.suite = "huge";
  EXPECT_THROW(PlanSuite(options, {}, 2), Error);
  options.suite = "quick";
  options.engines = {"spark"};
  EXPECT_THROW(PlanSuite(options, {}, 2), Error);
  options.engines = {};
  options.algos = {"svm"};
  EXPECT_THROW(PlanSuite(options, {}, 2), Error);
}

TEST(RecordTest, TrainReportAndTuneSummaryFillTheRecord) {
  nlohmann::json record;
  MergeTrainReport(LastJsonObject("log line\n{\"accuracy\":0.9,\"fit_s\":1.5,\"per_rank\":"
                                  "[{\"peak_rss_bytes\":10,\"node\":0,\"comm_bytes\":100},"
                                  "{\"peak_rss_bytes\":30,\"node\":1,\"comm_bytes\":50},"
                                  "{\"peak_rss_bytes\":20,\"node\":1,\"comm_bytes\":50}]}\nbye\n"),
                   record);
  EXPECT_DOUBLE_EQ(record["accuracy"].get<double>(), 0.9);
  EXPECT_EQ(record["peak_rss_bytes"], 30);
  EXPECT_EQ(record["peak_rss_per_rank"].size(), 3u);
  EXPECT_EQ(record["peak_rss_per_node"], (nlohmann::json{{"0", 10}, {"1", 30}}));
  EXPECT_EQ(record["comm_bytes_total"], 200);
  EXPECT_FALSE(record.contains("time_to_first_result_s"));  // no total_s reported

  nlohmann::json summary = {
      {"load_s", 1.0},
      {"put_s", 0.5},
      {"total_s", 10.0},
      {"trials",
       {{{"status", "TERMINATED"},
         {"accuracy", 0.8},
         {"started", 102.0},
         {"finished", 106.0},
         {"time_s", 4.0},
         {"node", "head"},
         {"result", {{"fit_s", 3.0}, {"predict_s", 1.0}, {"peak_rss_bytes", 7}}}},
        {{"status", "TERMINATED"},
         {"accuracy", 0.6},
         {"started", 103.0},
         {"finished", 108.0},
         {"time_s", 5.0},
         {"node", "worker-1"},
         {"result", {{"fit_s", 4.0}, {"predict_s", 1.0}, {"peak_rss_bytes", 9}}}}}}};
  nlohmann::json tune;
  MergeTuneSummary(summary, 100.0, tune);
  EXPECT_DOUBLE_EQ(tune["accuracy"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(tune["fit_s"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(tune["scheduling_s"].get<double>(), 0.5);  // 102 - 100 - 1 - 0.5
  EXPECT_DOUBLE_EQ(tune["time_to_first_result_s"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(tune["object_transfer_s"].get<double>(), 0.5);
  EXPECT_EQ(tune["peak_rss_per_node"], (nlohmann::json{{"head", 7}, {"worker-1", 9}}));
  EXPECT_EQ(tune["peak_rss_trial_bytes"], 9);
}

}  // namespace
}  // namespace scaleml::bench
