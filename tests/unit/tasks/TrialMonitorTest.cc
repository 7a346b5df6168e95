// The worker side of a trial's per-round reports, with the test playing the trainer (as gbdt and
// xgboost call OnRound once the algorithms report): the validation metric of each round's
// probabilities, checkpoints every N rounds as model files, and kStop once the driver stopped the
// trial. Plus the validation hold-out: disjoint from the test rows and the training rows.
#include <gtest/gtest.h>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "data/TrainTestSplit.h"
#include "engine/Metrics.h"
#include "engine/tune/TrialMonitor.h"
#include "engine/tune/TrialWorker.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml::tune {
namespace {

class FakeOutbox : public TrialOutbox {
 public:
  bool Report(const RoundReport& report) override {
    reports.push_back(report);
    return stop_after > 0 && static_cast<int>(reports.size()) >= stop_after;
  }
  bool StoreCheckpoint(const StoredCheckpoint& checkpoint) override {
    checkpoints.push_back(checkpoint);
    return true;
  }
  bool CarriesCheckpoint(std::int64_t) const override { return true; }
  std::optional<StoredCheckpoint> ResumeModel() override { return resume; }

  std::vector<RoundReport> reports;
  std::vector<StoredCheckpoint> checkpoints;
  std::optional<StoredCheckpoint> resume;
  int stop_after = 0;
};

TEST(TrialMonitorTest, ReportsTheValidationMetricChecksPointsAndStops) {
  Dataset data = scaleml::testing::MakeBlobs(400, 3, 2, 3.0, 5);
  LocalComm comm;
  auto model = MakeClassifier("logreg", {});
  FitModel(*model, data, comm);
  const std::vector<float> proba = model->PredictProba(data, comm);
  // The model's accuracy as the train report computes it, the metric every report must carry.
  const double accuracy = ValidationMetric("accuracy", data, proba, *model);
  EXPECT_GT(accuracy, 0.9);
  // Each metric as the train report's scorer computes it.
  const ClassificationMetrics full =
      ScoreClassifier(data.labels(), proba, ArgmaxLabels(proba, model->classes()), model->classes(),
                      data.schema(), comm);
  EXPECT_DOUBLE_EQ(accuracy, full.accuracy);
  EXPECT_DOUBLE_EQ(ValidationMetric("logloss", data, proba, *model), full.logloss);
  EXPECT_DOUBLE_EQ(ValidationMetric("roc_auc", data, proba, *model), full.roc_auc);
  EXPECT_DOUBLE_EQ(ValidationMetric("f1", data, proba, *model), full.f1);
  EXPECT_DOUBLE_EQ(ValidationMetric("balanced_accuracy", data, proba, *model),
                   full.balanced_accuracy);
  EXPECT_THROW(ValidationMetric("auc", data, proba, *model), Error);

  FakeOutbox outbox;
  outbox.stop_after = 5;
  TrialMonitorOptions options;
  options.checkpoint_every = 2;
  options.attempt = 3;
  TrialMonitor monitor(outbox, data, options);
  std::vector<RoundDecision> decisions;
  for (int round = 1; round <= 6; ++round)
    decisions.push_back(monitor.OnRound(round, proba, *model));
  EXPECT_EQ(decisions[3], RoundDecision::kContinue);
  EXPECT_EQ(decisions[4], RoundDecision::kStop);  // the driver stopped it at the fifth report
  EXPECT_EQ(decisions[5], RoundDecision::kStop);
  ASSERT_EQ(outbox.reports.size(), 6u);
  EXPECT_EQ(outbox.reports[2].iteration, 3);
  EXPECT_DOUBLE_EQ(outbox.reports[2].metric, accuracy);
  EXPECT_EQ(outbox.reports[2].attempt, 3);
  EXPECT_EQ(outbox.reports[1].checkpoint, 2);
  EXPECT_EQ(outbox.reports[2].checkpoint, 0);
  ASSERT_EQ(outbox.checkpoints.size(), 3u);  // rounds 2, 4, 6
  EXPECT_EQ(outbox.checkpoints[2].iteration, 6);
  EXPECT_TRUE(monitor.stopped());
  EXPECT_EQ(monitor.last_iteration(), 6);
  // A checkpoint is a model file that loads back into the same model.
  const std::string path = "/tmp/scaleml_monitor_test_" + std::to_string(getpid()) + ".model";
  WriteFileAtomically(path, outbox.checkpoints[0].model);
  auto loaded = LoadClassifier(path);
  std::remove(path.c_str());
  EXPECT_EQ(loaded->PredictProba(data, comm), proba);
}

TEST(TrialMonitorTest, RoundReportsRoundTripThroughJson) {
  RoundReport r;
  r.iteration = 7;
  r.metric = 0.25;
  r.time_s = 1.5;
  r.attempt = 1;
  r.checkpoint = 7;
  EXPECT_EQ(r.ToJson().dump(),
            R"({"attempt":1,"checkpoint":7,"iteration":7,"metric":0.25,"time_s":1.5})");
  const RoundReport back = RoundReport::FromJson(r.ToJson());
  EXPECT_EQ(back.iteration, 7);
  EXPECT_EQ(back.checkpoint, 7);
  EXPECT_TRUE(std::isnan(RoundReport::FromJson({{"iteration", 1}, {"metric", nullptr}}).metric));
}

TEST(TrialWorkerTest, HoldsOutValidationRowsFromTheTrainingRowsOnly) {
  Dataset data = scaleml::testing::MakeBlobs(5000, 2, 2, 3.0, 9);
  TrainRequest request;
  request.algo = "logreg";
  tasks::TaskContext context;
  auto outbox = std::make_unique<FakeOutbox>();
  FakeOutbox* fake = outbox.get();
  TrialWorker worker(context, {{"valid_fraction", 0.1}, {"keep_model", false}}, data, request,
                     std::move(outbox));
  ASSERT_TRUE(request.keep_train_rows);
  ASSERT_TRUE(request.prepare_model);
  EXPECT_TRUE(request.save_model.empty());
  // The training rows left: the split's training rows minus ~10% of them.
  TrainTest split = SplitTrainTest(data, request.split);
  const auto kept = request.keep_train_rows(split.train.row_ids());
  const double held_out = 1.0 - static_cast<double>(kept.size()) / split.train.rows();
  EXPECT_NEAR(held_out, 0.1, 0.02);
  // The monitor is attached to the model before its fit; the report counts the trial's rounds.
  auto model = MakeClassifier("logreg", {});
  request.prepare_model(model);
  ASSERT_TRUE(model->monitoring().enabled());
  const Dataset& validation = *model->monitoring().validation;
  EXPECT_EQ(validation.rows(), split.train.rows() - kept.size());
  for (std::int64_t id : validation.row_ids()) EXPECT_FALSE(IsTestRow(id, request.split));
  nlohmann::json result;
  worker.Finish(result);
  EXPECT_EQ(result["iterations"], 0);  // logreg did not report (yet)
  EXPECT_EQ(result["stopped_early"], false);
  EXPECT_TRUE(fake->checkpoints.empty());
}

TEST(TrialWorkerTest, ContinuesFromTheCheckpointItIsGiven) {
  Dataset data = scaleml::testing::MakeBlobs(300, 2, 2, 3.0, 9);
  LocalComm comm;
  auto trained = MakeClassifier("logreg", {{"C", "0.5"}});
  FitModel(*trained, data, comm);
  auto outbox = std::make_unique<FakeOutbox>();
  outbox->resume = StoredCheckpoint{40, ModelBytes(*trained)};
  TrainRequest request;
  request.algo = "logreg";
  tasks::TaskContext context;
  TrialWorker worker(context, nlohmann::json::object(), data, request, std::move(outbox));
  auto model = MakeClassifier("logreg", {});
  request.prepare_model(model);
  EXPECT_TRUE(model->warm_start());
  EXPECT_EQ(model->params().at("C"), trained->params().at("C"));
  nlohmann::json result;
  worker.Finish(result);
  EXPECT_EQ(result["resumed_from"], 40);
  EXPECT_EQ(result["iterations"], 40);
}

}  // namespace
}  // namespace scaleml::tune
