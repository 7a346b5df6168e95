#include <gtest/gtest.h>

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
  const auto plan = PlanSuite(options, true, 2);
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
  }
  EXPECT_EQ(ids.size(), plan.size());  // ids are unique: --resume can tell runs apart
  EXPECT_EQ(PlanSuite(options, false, 2).size(), 15u);
}

TEST(SuitePlanTest, PaperHasTwoSizesThreeRanksAndSkipsItsOwnDdpMode) {
  BenchOptions options;
  options.suite = "paper";
  options.algos = {"logreg"};
  const auto plan = PlanSuite(options, false, 2);
  ASSERT_EQ(plan.size(), 8u);  // (local, tasks, ddp, ddp-paper) x (1GB, 2GB)
  int skipped = 0;
  for (const auto& s : plan) {
    if (s.engine == "ddp") {
      EXPECT_EQ(s.ranks, 3);
    }
    skipped += !s.skip_reason.empty();
  }
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ(plan[0].rows, 5000000);
  EXPECT_EQ(plan[4].rows, 10000000);
}

TEST(SuitePlanTest, ScalingCountsRanksAndTrials) {
  BenchOptions options;
  options.suite = "scaling";
  options.algos = {"knn"};
  options.max_ranks = 3;
  const auto plan = PlanSuite(options, true, 2);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_EQ(plan[4].ranks, 3);
  EXPECT_EQ(plan[5].trials, 3);
}

TEST(SuitePlanTest, BadNamesAreInputErrors) {
  BenchOptions options;
  options.suite = "huge";
  EXPECT_THROW(PlanSuite(options, false, 2), Error);
  options.suite = "quick";
  options.engines = {"spark"};
  EXPECT_THROW(PlanSuite(options, false, 2), Error);
  options.engines = {};
  options.algos = {"svm"};
  EXPECT_THROW(PlanSuite(options, false, 2), Error);
}

TEST(RecordTest, TrainReportAndTuneSummaryFillTheRecord) {
  nlohmann::json record;
  MergeTrainReport(LastJsonObject("log line\n{\"accuracy\":0.9,\"fit_s\":1.5,\"per_rank\":"
                                  "[{\"peak_rss_bytes\":10},{\"peak_rss_bytes\":30}]}\nbye\n"),
                   record);
  EXPECT_DOUBLE_EQ(record["accuracy"].get<double>(), 0.9);
  EXPECT_EQ(record["peak_rss_bytes"], 30);
  EXPECT_EQ(record["peak_rss_per_rank"].size(), 2u);

  nlohmann::json summary = {{"load_s", 1.0},
                            {"put_s", 0.5},
                            {"total_s", 10.0},
                            {"trials",
                             {{{"status", "TERMINATED"},
                               {"accuracy", 0.8},
                               {"started", 102.0},
                               {"finished", 106.0},
                               {"time_s", 4.0},
                               {"result", {{"fit_s", 3.0}, {"predict_s", 1.0}}}},
                              {{"status", "TERMINATED"},
                               {"accuracy", 0.6},
                               {"started", 103.0},
                               {"finished", 108.0},
                               {"time_s", 5.0},
                               {"result", {{"fit_s", 4.0}, {"predict_s", 1.0}}}}}}};
  nlohmann::json tune;
  MergeTuneSummary(summary, 100.0, tune);
  EXPECT_DOUBLE_EQ(tune["accuracy"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(tune["fit_s"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(tune["scheduling_s"].get<double>(), 0.5);  // 102 - 100 - 1 - 0.5
  EXPECT_DOUBLE_EQ(tune["time_to_first_result_s"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(tune["object_transfer_s"].get<double>(), 0.5);
}

}  // namespace
}  // namespace scaleml::bench
