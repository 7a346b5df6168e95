// An experiment's folder: trials saved and found again for --resume (finished ones only), the
// summary files, and the trial table's rendering.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/AtomicFile.h"
#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/TrialTable.h"

namespace scaleml::tune {
namespace {

class ExperimentStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaleml_experiment_XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

Trial MakeTrial(const std::string& id, TrialStatus status, double accuracy) {
  Trial t;
  t.trial_id = id;
  t.status = status;
  t.config = {{"C", 0.5}, {"solver", "a,b"}};
  t.node = "h1";
  t.attempts = 2;
  t.started = 100;
  t.finished = 103.5;
  if (status == TrialStatus::kTerminated) {
    t.result = {{"accuracy", accuracy}, {"roc_auc", nullptr}};
    t.metric = accuracy;
  } else {
    t.error = "worker died";
  }
  return t;
}

TEST_F(ExperimentStorageTest, RunningTrialIsNotFinishedAndItsMarkGoesWhenItEnds) {
  ExperimentStorage storage(dir_);
  Trial running = MakeTrial("t_running", TrialStatus::kRunning, 0);
  storage.SaveRunning(running);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/t_running/running.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/t_running/result.json"));
  EXPECT_FALSE(storage.LoadFinishedTrial("t_running"));  // --resume runs it again
  storage.SaveTrial(MakeTrial("t_running", TrialStatus::kTerminated, 0.75));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/t_running/running.json"));
  EXPECT_TRUE(storage.LoadFinishedTrial("t_running"));
}

TEST_F(ExperimentStorageTest, OnlyFinishedTrialsAreFoundForResume) {
  ExperimentStorage storage(dir_);
  storage.SaveTrial(MakeTrial("x_00000", TrialStatus::kTerminated, 0.75));
  storage.SaveTrial(MakeTrial("x_00001", TrialStatus::kError, 0));
  auto done = storage.LoadFinishedTrial("x_00000");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->metric, 0.75);
  EXPECT_EQ(done->attempts, 2);
  EXPECT_EQ(done->node, "h1");
  EXPECT_EQ(done->config["solver"].get<std::string>(), "a,b");
  EXPECT_FALSE(storage.LoadFinishedTrial("x_00001"));  // an ERROR trial runs again
  EXPECT_FALSE(storage.LoadFinishedTrial("x_00002"));
  auto params = nlohmann::json::parse(ReadWholeFile(dir_ + "/x_00000/params.json"));
  EXPECT_EQ(params["C"].get<double>(), 0.5);
  EXPECT_FALSE(storage.LoadState());
  storage.SaveState({{"algo", "logreg"}});
  EXPECT_EQ(storage.LoadState()->value("algo", ""), "logreg");
}

TEST_F(ExperimentStorageTest, SummaryCsvHasARowPerTrialAndQuotesConfigValues) {
  ExperimentStorage storage(dir_);
  std::vector<Trial> trials = {MakeTrial("x_00000", TrialStatus::kTerminated, 0.75),
                               MakeTrial("x_00001", TrialStatus::kError, 0)};
  trials[0].iteration = 12;
  trials[0].stopped_early = true;
  storage.SaveSummary({{"trials", nlohmann::json::array()}}, trials);
  std::ifstream csv(dir_ + "/summary.csv");
  std::string header, first, second, extra;
  std::getline(csv, header);
  std::getline(csv, first);
  std::getline(csv, second);
  EXPECT_FALSE(std::getline(csv, extra));
  EXPECT_EQ(header,
            "trial_id,status,node,accuracy,logloss,roc_auc,f1,balanced_accuracy,time_s,attempts,"
            "iterations,stopped_early,config/C,config/solver");
  // The metrics the result has (a test trial's: accuracy and an undefined roc_auc).
  EXPECT_EQ(first, "x_00000,TERMINATED,h1,0.75,,,,,3.5,2,12,true,0.5,\"a,b\"");
  EXPECT_EQ(second, "x_00001,ERROR,h1,,,,,,3.5,2,0,false,0.5,\"a,b\"");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/summary.json"));
  // Nothing half-written is left beside them.
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST(TrialTableTest, RendersStatusCountsAndOneRowPerTrial) {
  std::vector<Trial> trials = {MakeTrial("x_00000", TrialStatus::kTerminated, 0.75),
                               MakeTrial("x_00001", TrialStatus::kError, 0)};
  trials.push_back(Trial{});
  trials.back().trial_id = "x_00002";
  const std::string text = TrialTable::Render(trials, "accuracy", 12.0);
  EXPECT_NE(text.find("3 ("), std::string::npos);
  EXPECT_NE(text.find("1 ERROR"), std::string::npos);
  EXPECT_NE(text.find("1 PENDING"), std::string::npos);
  EXPECT_NE(text.find("1 TERMINATED"), std::string::npos);
  EXPECT_NE(text.find("C=0.5, solver=a,b"), std::string::npos);
  EXPECT_NE(text.find("0.75"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);  // status, header, 3 trials
}

TEST(TrialTableTest, ShowsRunningTrialsRoundAndLastResult) {
  std::vector<Trial> trials = {MakeTrial("x_00000", TrialStatus::kTerminated, 0.75)};
  trials[0].stopped_early = true;
  trials[0].iteration = 4;
  Trial running;
  running.trial_id = "x_00001";
  running.status = TrialStatus::kRunning;
  running.iteration = 17;
  running.last_result = 0.625;
  trials.push_back(running);
  const std::string text = TrialTable::Render(trials, "accuracy", 1.0);
  EXPECT_NE(text.find("1 stopped early"), std::string::npos);
  EXPECT_NE(text.find("TERMINATED (early)"), std::string::npos);
  EXPECT_NE(text.find("    17      0.625"), std::string::npos) << text;
}

TEST_F(ExperimentStorageTest, CurvesAppendTruncateAndSkipACutLine) {
  ExperimentStorage storage(dir_);
  storage.AppendResults("t",
                        {R"({"iteration":1,"metric":0.5})", R"({"iteration":2,"metric":0.6})"});
  storage.AppendResults("t", {R"({"iteration":3,"metric":0.7})"});
  ASSERT_EQ(storage.LoadResults("t").size(), 3u);
  storage.TruncateResults("t", 3);  // a continuation from round 2's checkpoint
  auto curve = storage.LoadResults("t");
  ASSERT_EQ(curve.size(), 2u);
  EXPECT_EQ(curve[1]["iteration"], 2);
  {
    std::ofstream cut(dir_ + "/t/result.jsonl", std::ios::app);
    cut << R"({"iteration":3,"me)";
  }
  EXPECT_EQ(storage.LoadResults("t").size(), 2u);
}

TEST_F(ExperimentStorageTest, CheckpointsAndBestModel) {
  ExperimentStorage storage(dir_);
  EXPECT_FALSE(storage.LoadCheckpoint("t"));
  EXPECT_FALSE(storage.SaveBestModel("t"));
  storage.SaveCheckpoint("t", 40, std::string("model\0bytes", 11));
  auto checkpoint = storage.LoadCheckpoint("t");
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->first, 40);
  EXPECT_EQ(checkpoint->second, std::string("model\0bytes", 11));
  EXPECT_TRUE(storage.SaveBestModel("t"));
  EXPECT_EQ(ReadWholeFile(dir_ + "/best.model"), std::string("model\0bytes", 11));
}

}  // namespace
}  // namespace scaleml::tune
