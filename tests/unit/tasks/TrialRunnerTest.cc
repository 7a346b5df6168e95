// The tune driver against a real cluster (redis-server and a forked node agent) whose train_trial
// is a fake trainer: it reports a known curve per round through the trial channel, stores
// checkpoints and obeys stops, as gbdt and xgboost do once they call their TrainingMonitor. It
// checks ASHA stopping trials early end to end (result.jsonl, summary, best.model) and a driver
// killed mid-experiment resumed from its checkpoints without rerunning finished trials.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/AtomicFile.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "engine/tasks/RedisServer.h"
#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/TrialChannel.h"
#include "engine/tune/TrialWorker.h"
#include "engine/tune/TuneRunner.h"
#include "unit/tasks/TestCluster.h"

namespace scaleml::tune {
namespace {

using tasks::TaskContext;
using tasks::test_support::TestCluster;

constexpr int kRounds = 16;

// The search space is checked against a real algorithm's schema: logreg's C (> 0) stands for
// the fake trial's quality, and max_iter for its milliseconds per round.
// Validation metric after round i: quality * i / kRounds; the test metric: quality.
nlohmann::json FakeTrial(TaskContext& context, const nlohmann::json& args) {
  const nlohmann::json& report = args.at("report");
  auto outbox = ConnectOutbox(context, report.at("channel").get<std::string>());
  const double quality = std::stod(args["params"]["C"].get<std::string>());
  const int rounds = kRounds;
  const int every = report.value("checkpoint_freq", 0);
  const int ms = std::stoi(args["params"].value("max_iter", std::string("30")));
  int start = 0;
  if (auto resume = outbox->ResumeModel()) start = resume->iteration;
  int last = start;
  bool stopped = false;
  for (int i = start + 1; i <= rounds && !stopped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    RoundReport r;
    r.iteration = i;
    r.metric = quality * i / rounds;
    r.time_s = 0.001 * i;
    r.attempt = context.attempt;
    if (every > 0 && i % every == 0) {
      outbox->StoreCheckpoint({i, "model after round " + std::to_string(i)});
      r.checkpoint = i;
    }
    stopped = outbox->Report(r);
    last = i;
  }
  if (report.value("keep_model", false)) {
    outbox->StoreCheckpoint({last, "final model of " + args["params"]["C"].get<std::string>()});
  }
  return {{"accuracy", quality},
          {"iterations", last},
          {"stopped_early", stopped},
          {"final_checkpoint", true},
          {"resumed_from", start}};
}

const tasks::TaskRegistry& FakeRegistry() {
  static const tasks::TaskRegistry registry = [] {
    tasks::TaskRegistry r;
    r.Register("train_trial", FakeTrial);
    return r;
  }();
  return registry;
}

class TrialRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tasks::RedisServer::Available()) GTEST_SKIP() << "redis-server is not installed";
    char pattern[] = "/tmp/scaleml_tune_runner_XXXXXX";
    dir_ = mkdtemp(pattern);
    std::string csv = "a,b,target\n";
    for (int i = 0; i < 200; ++i) csv += StrCat(i % 7, ",", i % 3, ",", i % 2, "\n");
    WriteFileAtomically(dir_ + "/data.csv", csv);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TuneOptions Options(const TestCluster& cluster, const std::string& space) {
    TuneOptions options;
    options.algo = "logreg";  // its schema checks nothing of the fake's parameters: use --param
    options.data_path = dir_ + "/data.csv";
    options.search_space = space;
    options.address = cluster.cluster().address;
    options.token = cluster.cluster().token;
    options.home = cluster.home();
    options.storage = dir_ + "/exp";
    options.quiet = true;
    options.max_concurrent_trials = 2;
    return options;
  }
  std::string dir_;
};

std::vector<nlohmann::json> Curve(const std::string& storage, const std::string& trial) {
  return ExperimentStorage(storage).LoadResults(trial);
}

TEST_F(TrialRunnerTest, AshaStopsTheWeakTrialsAndKeepsTheirCurves) {
  TestCluster cluster;
  cluster.StartAgent("a", 2, 64 << 20, 0, &FakeRegistry());
  // Strong and weak trials alternate, so the rungs have good results to cut the weak ones at.
  TuneOptions options =
      Options(cluster, R"({"C": {"grid_search": [0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4]},
                           "max_iter": 50})");
  options.scheduler.kind = SchedulerKind::kAsha;
  options.scheduler.max_t = kRounds;  // rungs at 1 and 4 (and 16 = max_t)
  TuneResult result = TuneRunner::Run(options);
  ASSERT_EQ(result.trials.size(), 8u);
  ASSERT_GE(result.best, 0);
  const Trial& best = result.trials[result.best];
  EXPECT_EQ(best.config["C"], 0.8);
  EXPECT_FALSE(best.stopped_early);
  EXPECT_EQ(best.iteration, kRounds);
  int stopped = 0;
  for (const Trial& t : result.trials) {
    ASSERT_EQ(t.status, TrialStatus::kTerminated) << t.trial_id << ": " << t.error;
    const auto curve = Curve(options.storage, t.trial_id);
    ASSERT_EQ(static_cast<int>(curve.size()), t.iteration) << t.trial_id;
    for (std::size_t i = 0; i < curve.size(); ++i) {
      // Exactly the documented shape, one line per round.
      ASSERT_EQ(curve[i].size(), 4u);
      EXPECT_EQ(curve[i]["iteration"], static_cast<int>(i) + 1);
      EXPECT_DOUBLE_EQ(curve[i]["metric"].get<double>(),
                       t.config["C"].get<double>() * (i + 1) / kRounds);
      EXPECT_EQ(curve[i]["metric_name"], "accuracy");
      EXPECT_TRUE(curve[i]["time_s"].is_number());
    }
    if (t.stopped_early) {
      ++stopped;
      EXPECT_LT(t.iteration, kRounds) << t.trial_id;
      EXPECT_LT(t.config["C"].get<double>(), 0.8);
    }
  }
  EXPECT_GE(stopped, 2);  // at least the 0.1 and 0.2 trials, cut at rung 1 or 4
  EXPECT_EQ(result.summary["stopped_early"], stopped);
  EXPECT_EQ(ReadWholeFile(options.storage + "/best.model"), "final model of 0.8");
  const auto summary = nlohmann::json::parse(ReadWholeFile(options.storage + "/summary.json"));
  EXPECT_EQ(summary["trials"][0]["iterations"], kRounds);
  EXPECT_TRUE(summary["trials"][0].contains("stopped_early"));
  // The costs are recorded (a figure for the docs, not a timed assertion).
  EXPECT_GE(summary["scheduler_ms_per_trial"].get<double>(), 0.0);
  EXPECT_GE(summary["driver_ms_per_trial"].get<double>(),
            summary["scheduler_ms_per_trial"].get<double>());
  std::printf("driver %.3f ms per trial, of which scheduler and searcher %.3f ms\n",
              summary["driver_ms_per_trial"].get<double>(),
              summary["scheduler_ms_per_trial"].get<double>());
}

TEST_F(TrialRunnerTest, MedianStopsTrialsBelowTheOthersMedian) {
  TestCluster cluster;
  cluster.StartAgent("a", 4, 64 << 20, 0, &FakeRegistry());
  TuneOptions options =
      Options(cluster, R"({"C": {"grid_search": [0.8, 0.7, 0.6, 0.1]}, "max_iter": 50})");
  options.max_concurrent_trials = 3;  // the weak one starts once three reached their end
  options.scheduler.kind = SchedulerKind::kMedian;
  TuneResult result = TuneRunner::Run(options);
  ASSERT_EQ(result.trials.size(), 4u);
  EXPECT_TRUE(result.trials[3].stopped_early);
  EXPECT_LT(result.trials[3].iteration, kRounds);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(result.trials[i].stopped_early);
}

TEST_F(TrialRunnerTest, ResumeAfterTheDriverIsKilledContinuesFromCheckpoints) {
  TestCluster cluster;
  cluster.StartAgent("a", 2, 64 << 20, 0, &FakeRegistry());
  // One trial at a time, 16 rounds of 50 ms each, a checkpoint every 4 rounds: trial 0 finishes,
  // then the driver is killed in the middle of trial 1.
  TuneOptions options =
      Options(cluster, R"({"C": {"grid_search": [0.5, 0.6, 0.7]}, "max_iter": 50})");
  options.checkpoint_freq = 4;
  options.max_concurrent_trials = 1;
  const std::string checkpoint = options.storage + "/logreg_00001/checkpoint.json";
  // The driver is the scaleml binary (a process of its own, as a user runs it): a forked copy of
  // this test could deadlock in OpenMP, which earlier tests started.
  // Its environment: this one's, plus the cluster's token and home (the test's own stays as it is).
  std::vector<std::string> environment = {"SCALEML_TOKEN=" + options.token,
                                          "SCALEML_HOME=" + cluster.home()};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (text.rfind("SCALEML_TOKEN=", 0) != 0 && text.rfind("SCALEML_HOME=", 0) != 0) {
      environment.push_back(text);
    }
  }
  std::vector<char*> envp;
  for (auto& text : environment) envp.push_back(text.data());
  envp.push_back(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execle(SCALEML_BINARY, SCALEML_BINARY, "tune", "--algo", "logreg", "--data",
           options.data_path.c_str(), "--search-space", options.search_space.c_str(), "--address",
           options.address.c_str(), "--storage", options.storage.c_str(), "--max-concurrent-trials",
           "1", "--checkpoint-freq", "4", static_cast<char*>(nullptr), envp.data());
    _exit(127);
  }
  // Kill the driver once trial 1 has stored a checkpoint past round 4.
  bool killed = false;
  for (int i = 0; i < 1000 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!std::filesystem::exists(checkpoint)) continue;
    const auto j = nlohmann::json::parse(ReadWholeFile(checkpoint), nullptr, false);
    if (!j.is_discarded() && j.value("iteration", 0) >= 8) {
      kill(child, SIGKILL);
      killed = true;
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(killed) << "trial 1 stored no checkpoint of round 8 in time";
  const auto before = Curve(options.storage, "logreg_00001");
  ASSERT_GE(before.size(), 8u);
  auto finished = ExperimentStorage(options.storage).LoadFinishedTrial("logreg_00000");
  ASSERT_TRUE(finished) << "trial 0 had not finished when the driver was killed";

  options.resume = true;
  TuneResult result = TuneRunner::Run(options);
  ASSERT_EQ(result.trials.size(), 3u);
  for (const Trial& t : result.trials) {
    ASSERT_EQ(t.status, TrialStatus::kTerminated) << t.trial_id << ": " << t.error;
    // Every curve whole: rounds 1..16, each once.
    const auto curve = Curve(options.storage, t.trial_id);
    ASSERT_EQ(curve.size(), static_cast<std::size_t>(kRounds)) << t.trial_id;
    for (int i = 0; i < kRounds; ++i) EXPECT_EQ(curve[i]["iteration"], i + 1) << t.trial_id;
  }
  EXPECT_EQ(result.trials[0].task_id, finished->task_id);  // not rerun
  // Trial 1 continued from its checkpoint (round 8 or later), not from round 0.
  EXPECT_GE(result.trials[1].result["resumed_from"].get<int>(), 8);
  EXPECT_EQ(ReadWholeFile(options.storage + "/best.model"), "final model of 0.7");
}

TEST_F(TrialRunnerTest, TimeBudgetEndsAnUnboundedExperiment) {
  TestCluster cluster;
  cluster.StartAgent("a", 2, 64 << 20, 0, &FakeRegistry());
  TuneOptions options = Options(cluster, R"({"C": {"uniform": [0.1, 1]}, "max_iter": 40})");
  options.num_samples = -1;  // sample until the budget ends
  options.time_budget_s = 1.5;
  Stopwatch clock;
  TuneResult result = TuneRunner::Run(options);
  // Trials take 16 x 40 ms, two at a time: the budget ends during the second or third pair.
  EXPECT_LT(clock.Seconds(), 10.0);
  EXPECT_EQ(result.summary["time_budget_spent"], true);
  ASSERT_GE(result.trials.size(), 2u);
  int finished = 0;
  for (const Trial& t : result.trials) {
    EXPECT_NE(t.status, TrialStatus::kError) << t.error;
    finished += t.status == TrialStatus::kTerminated ? 1 : 0;
  }
  EXPECT_GE(finished, 2);
  // A trial running when the budget ended stopped at its next round; none started after it.
  const double budget_end = result.trials.front().started + options.time_budget_s;
  for (const Trial& t : result.trials) {
    if (t.started > budget_end + 0.5) ADD_FAILURE() << t.trial_id << " started after the budget";
  }
}

TEST_F(TrialRunnerTest, TpeTrialsAreStoredAndResumeRerunsNothing) {
  TestCluster cluster;
  cluster.StartAgent("a", 2, 64 << 20, 0, &FakeRegistry());
  TuneOptions options = Options(cluster, R"({"C": {"uniform": [0.1, 1]}, "max_iter": 1})");
  options.search = SearchKind::kTpe;
  options.search_seed = 4;
  options.num_samples = 12;
  TuneResult first = TuneRunner::Run(options);
  ASSERT_EQ(first.trials.size(), 12u);
  // The first ten are the random search's configs; all twelve are in the state file.
  SearchSpace space = SearchSpace::Parse(options.search_space);
  EXPECT_EQ(first.trials[3].config, space.Sample(3, 4));
  const auto state =
      nlohmann::json::parse(ReadWholeFile(options.storage + "/experiment_state.json"));
  ASSERT_EQ(state["trials"].size(), 12u);
  EXPECT_EQ(state["trials"][11]["config"], first.trials[11].config);
  options.resume = true;
  options.search = SearchKind::kRandom;  // ignored: the saved experiment's settings hold
  TuneResult again = TuneRunner::Run(options);
  ASSERT_EQ(again.trials.size(), 12u);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(again.trials[i].task_id, first.trials[i].task_id);  // nothing ran again
    EXPECT_EQ(again.trials[i].config, first.trials[i].config);
  }
}

}  // namespace
}  // namespace scaleml::tune

namespace scaleml::tune {
namespace {

// A checkpoint larger than the channel carries is refused before it is sent (Redis closes the
// connection of a value over its 512 MB bulk limit, which failed k-NN trials at 3 GB) and
// stores nothing; a smaller one is stored and read back.
TEST_F(TrialRunnerTest, ACheckpointOverTheLimitIsRefusedAndStoresNothing) {
  TestCluster cluster;
  std::string host;
  int port = 0;
  tasks::ParseAddress(cluster.cluster().address, &host, &port);
  const std::string token = cluster.cluster().token;
  RedisTrialOutbox outbox(std::make_unique<tasks::RedisClient>(host, port, token), "refuse", 100);
  tasks::RedisClient driver(host, port, token);
  TrialInbox inbox(driver);
  EXPECT_FALSE(outbox.CarriesCheckpoint(101));
  EXPECT_FALSE(outbox.StoreCheckpoint({3, std::string(101, 'm')}));
  EXPECT_FALSE(inbox.TakeCheckpoint("refuse").has_value());
  EXPECT_TRUE(outbox.StoreCheckpoint({4, std::string(100, 'm')}));
  const auto stored = inbox.TakeCheckpoint("refuse");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->iteration, 4);
  EXPECT_EQ(stored->model.size(), 100u);
  EXPECT_NE(CheckpointRefused(600 << 20).find("600 MiB"), std::string::npos);
  static_assert(kMaxCheckpointBytes < std::int64_t{512} << 20, "under Redis's bulk limit");
  inbox.Forget("refuse");
}

}  // namespace
}  // namespace scaleml::tune
