// Per-round reports, kStop, checkpoints and warm start of xgboost (algo/TrainingMonitor.h).
#include <gtest/gtest.h>

#include "unit/testing/RecordingMonitor.h"
#include "unit/testing/SyntheticData.h"
#include "unit/xgboost/XgboostTestUtil.h"

namespace scaleml {
namespace {

using testing::LoadPayload;
using testing::MakeBlobs;
using testing::MaxDifference;
using testing::Payload;
using testing::RecordingMonitor;

struct Split {
  Dataset train, valid;
};

Split MakeSplit(int classes, std::uint64_t seed) {
  // Overlapping blobs, so that every round still changes the trees.
  Dataset data = MakeBlobs(1500, 5, classes, 1.0, seed);
  std::vector<std::size_t> train_rows, valid_rows;
  for (std::size_t r = 0; r < data.rows(); ++r) (r % 5 == 0 ? valid_rows : train_rows).push_back(r);
  return {data.Take(train_rows), data.Take(valid_rows)};
}

std::unique_ptr<Classifier> Make(int rounds) {
  return MakeXgboostClassifier(
      {{"n_estimators", std::to_string(rounds)}, {"max_depth", "4"}, {"nthread", "1"}});
}

std::vector<float> Proba(const Classifier& model, const Dataset& data) {
  LocalComm comm;
  return model.PredictProba(data, comm);
}

int Rounds(const Classifier& model) {
  return dynamic_cast<const XgboostClassifier&>(model).rounds();
}

TEST(XgboostMonitoring, ReportsEveryKRoundsAndTheLastWithTheModelsProbabilities) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 3);
    auto model = Make(13);
    RecordingMonitor monitor(split.valid);
    model->set_monitoring(monitor.Monitoring(4));
    LocalComm comm;
    model->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{4, 8, 12, 13})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5) << classes;
  }
}

TEST(XgboostMonitoring, OffGivesTheSameModelAsMonitored) {
  Split split = MakeSplit(2, 4);
  auto plain = Make(10), monitored = Make(10);
  RecordingMonitor monitor(split.valid);
  monitored->set_monitoring(monitor.Monitoring(1));
  LocalComm comm;
  plain->Fit(split.train, comm);
  monitored->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations.size(), 10u);
  EXPECT_EQ(Payload(*plain), Payload(*monitored));
}

TEST(XgboostMonitoring, StopLeavesAModelOfThatManyRounds) {
  Split split = MakeSplit(3, 5);
  auto model = Make(30);
  RecordingMonitor monitor(split.valid, /*stop_at=*/6);
  model->set_monitoring(monitor.Monitoring(3));
  LocalComm comm;
  model->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations, (std::vector<int>{3, 6}));
  EXPECT_EQ(Rounds(*model), 6);
  auto six = Make(6);
  six->Fit(split.train, comm);
  EXPECT_LE(MaxDifference(Proba(*model, split.valid), Proba(*six, split.valid)), 1e-6);
}

TEST(XgboostMonitoring, CheckpointPredictsAsAModelOfThatManyRounds) {
  Split split = MakeSplit(2, 6);
  auto model = Make(20);
  RecordingMonitor monitor(split.valid, 0, /*checkpoint_at=*/8);
  model->set_monitoring(monitor.Monitoring(4));
  LocalComm comm;
  model->Fit(split.train, comm);
  ASSERT_FALSE(monitor.checkpoint.empty());
  auto loaded = Make(20);
  LoadPayload(monitor.checkpoint, monitor.checkpoint_classes, *loaded);
  EXPECT_EQ(Rounds(*loaded), 8);
  auto eight = Make(8);
  eight->Fit(split.train, comm);
  EXPECT_LE(MaxDifference(Proba(*loaded, split.valid), Proba(*eight, split.valid)), 1e-6);
}

// XGBoost's xgb_model: 40 rounds, saved, loaded and continued to 100 predict as 100 rounds of one
// fit, and the continued fit reports rounds 41.. .
TEST(XgboostMonitoring, WarmStartFromASavedModelContinuesToTheSameModel) {
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
    continued->set_monitoring(monitor.Monitoring(30));
    continued->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{60, 90, 100})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5);
    EXPECT_EQ(Rounds(*continued), 100);
    EXPECT_LE(MaxDifference(Proba(*straight, split.valid), Proba(*continued, split.valid)), 1e-5)
        << classes;
  }
}

TEST(XgboostMonitoring, WithoutWarmStartASecondFitStartsOver) {
  Split split = MakeSplit(2, 9);
  LocalComm comm;
  auto model = Make(5);
  model->Fit(split.train, comm);
  model->Fit(split.train, comm);
  EXPECT_EQ(Rounds(*model), 5);
  model->set_warm_start(true);
  model->Fit(split.train, comm);  // already at n_estimators: nothing to add
  EXPECT_EQ(Rounds(*model), 5);
}

}  // namespace
}  // namespace scaleml
