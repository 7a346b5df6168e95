// Per-round reports, kStop, checkpoints and warm start of gbdt (algo/TrainingMonitor.h).
#include <gtest/gtest.h>

#include "algo/AlgorithmFactories.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "unit/gbdt/GbdtTestData.h"
#include "unit/testing/RecordingMonitor.h"

namespace scaleml {
namespace {

using testing::LoadPayload;
using testing::MakeClassificationData;
using testing::MaxDifference;
using testing::Payload;
using testing::RecordingMonitor;
using testing::RowRange;

struct Split {
  Dataset train, valid;
};

Split MakeSplit(int classes, std::uint64_t seed) {
  Dataset data = MakeClassificationData(3000, 6, classes, seed);
  return {RowRange(data, 0, 2400), RowRange(data, 2400, 3000)};
}

std::unique_ptr<Classifier> Make(int rounds, ParamMap params = {}) {
  params["num_iterations"] = std::to_string(rounds);
  params["num_leaves"] = "15";
  return MakeGbdtClassifier(params);
}

std::vector<float> Proba(const Classifier& model, const Dataset& data) {
  LocalComm comm;
  return model.PredictProba(data, comm);
}

TEST(GbdtMonitoring, ReportsEveryKRoundsAndTheLastWithTheModelsProbabilities) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 3);
    auto model = Make(23);
    RecordingMonitor monitor(split.valid);
    model->set_monitoring(monitor.Monitoring(5));
    LocalComm comm;
    model->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{5, 10, 15, 20, 23})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5) << classes;
  }
}

TEST(GbdtMonitoring, OffGivesTheSameModelAsMonitored) {
  Split split = MakeSplit(2, 4);
  auto plain = Make(20, {{"bagging_fraction", "0.7"}, {"bagging_freq", "3"}});
  auto monitored = Make(20, {{"bagging_fraction", "0.7"}, {"bagging_freq", "3"}});
  RecordingMonitor monitor(split.valid);
  monitored->set_monitoring(monitor.Monitoring(1));
  LocalComm comm;
  plain->Fit(split.train, comm);
  monitored->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations.size(), 20u);
  EXPECT_EQ(Payload(*plain), Payload(*monitored));
}

TEST(GbdtMonitoring, StopLeavesAModelOfThatManyRounds) {
  Split split = MakeSplit(3, 5);
  auto model = Make(50);
  RecordingMonitor monitor(split.valid, /*stop_at=*/12);
  model->set_monitoring(monitor.Monitoring(4));
  LocalComm comm;
  model->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations, (std::vector<int>{4, 8, 12}));
  EXPECT_EQ(dynamic_cast<GbdtClassifier&>(*model).iterations(), 12);
  auto twelve = Make(12);
  twelve->Fit(split.train, comm);
  EXPECT_EQ(Proba(*model, split.valid), Proba(*twelve, split.valid));
}

TEST(GbdtMonitoring, CheckpointPredictsAsAModelOfThatManyRounds) {
  Split split = MakeSplit(2, 6);
  auto model = Make(30);
  RecordingMonitor monitor(split.valid, 0, /*checkpoint_at=*/10);
  model->set_monitoring(monitor.Monitoring(5));
  LocalComm comm;
  model->Fit(split.train, comm);
  ASSERT_FALSE(monitor.checkpoint.empty());
  auto loaded = Make(30);
  LoadPayload(monitor.checkpoint, monitor.checkpoint_classes, *loaded);
  auto ten = Make(10);
  ten->Fit(split.train, comm);
  EXPECT_EQ(Proba(*loaded, split.valid), Proba(*ten, split.valid));
}

// LightGBM's init_model: 40 rounds, saved, loaded and continued to 100 are the 100 rounds of one
// fit, and the continued fit reports rounds 41.. .
TEST(GbdtMonitoring, WarmStartFromASavedModelContinuesToTheSameModel) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 7);
    LocalComm comm;
    auto straight = Make(100);
    straight->Fit(split.train, comm);
    auto first = Make(40);
    first->Fit(split.train, comm);
    auto continued = Make(100);
    LoadPayload(Payload(*first), first->classes(), *continued);
    continued->set_warm_start(true);
    RecordingMonitor monitor(split.valid);
    continued->set_monitoring(monitor.Monitoring(20));
    continued->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{60, 80, 100})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5);
    EXPECT_EQ(dynamic_cast<GbdtClassifier&>(*continued).iterations(), 100);
    EXPECT_EQ(Proba(*straight, split.valid), Proba(*continued, split.valid)) << classes;
  }
}

TEST(GbdtMonitoring, CheckpointSavedInsideOnRoundContinuesToTheSameModel) {
  Split split = MakeSplit(2, 8);
  LocalComm comm;
  auto straight = Make(60);
  RecordingMonitor monitor(split.valid, 0, /*checkpoint_at=*/25);
  straight->set_monitoring(monitor.Monitoring(25));
  straight->Fit(split.train, comm);
  auto resumed = Make(60);
  LoadPayload(monitor.checkpoint, monitor.checkpoint_classes, *resumed);
  resumed->set_warm_start(true);
  resumed->Fit(split.train, comm);
  EXPECT_EQ(Payload(*straight), Payload(*resumed));
}

TEST(GbdtMonitoring, WithoutWarmStartASecondFitStartsOver) {
  Split split = MakeSplit(2, 9);
  LocalComm comm;
  auto model = Make(15);
  model->Fit(split.train, comm);
  model->Fit(split.train, comm);
  EXPECT_EQ(dynamic_cast<GbdtClassifier&>(*model).iterations(), 15);
  model->set_warm_start(true);
  model->Fit(split.train, comm);  // already at num_iterations: nothing to add
  EXPECT_EQ(dynamic_cast<GbdtClassifier&>(*model).iterations(), 15);
}

TEST(GbdtMonitoring, WarmStartOnOtherClassesIsAnInputError) {
  Split two = MakeSplit(2, 10), three = MakeSplit(3, 10);
  LocalComm comm;
  auto model = Make(5);
  model->Fit(two.train, comm);
  model->set_warm_start(true);
  EXPECT_THROW(model->Fit(three.train, comm), Error);
}

TEST(GbdtMonitoring, EarlyStoppingReportsTheKeptModelLast) {
  Split split = MakeSplit(2, 11);
  auto model = Make(400, {{"early_stopping_round", "5"}, {"learning_rate", "0.5"}});
  RecordingMonitor monitor(split.valid);
  model->set_monitoring(monitor.Monitoring(10));
  LocalComm comm;
  model->Fit(split.train, comm);
  const int kept = dynamic_cast<GbdtClassifier&>(*model).iterations();
  ASSERT_LT(kept, 400);
  ASSERT_FALSE(monitor.iterations.empty());
  EXPECT_EQ(monitor.iterations.back(), kept);
  EXPECT_LE(monitor.max_difference, 1e-5);
}

}  // namespace
}  // namespace scaleml
