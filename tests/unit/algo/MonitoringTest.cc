// Per-round reports, kStop, checkpoints and warm start (algo/TrainingMonitor.h), one typed test
// over the iterative algorithms: each reports every k rounds and the last with its own
// probabilities, unchanged by the monitoring, and kStop leaves the model of that many rounds. The
// boosting algorithms (gbdt, xgboost) also checkpoint inside OnRound and warm-start from a saved
// model. What only one algorithm does (logreg's solvers, gbdt's early stopping) follows the typed
// tests.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "algo/AlgorithmFactories.h"
#include "algo/forest/ForestClassifier.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "algo/logreg/LogregClassifier.h"
#include "algo/xgboost/XgboostClassifier.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "unit/testing/RecordingMonitor.h"
#include "unit/testing/SyntheticData.h"

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

// Overlapping blobs, so that every round still changes the model; every fifth row validates.
Split MakeSplit(int classes, std::uint64_t seed) {
  Dataset data = MakeBlobs(1500, 5, classes, 1.0, seed);
  std::vector<std::size_t> train_rows, valid_rows;
  for (std::size_t r = 0; r < data.rows(); ++r) (r % 5 == 0 ? valid_rows : train_rows).push_back(r);
  return {data.Take(train_rows), data.Take(valid_rows)};
}

std::vector<float> Proba(const Classifier& model, const Dataset& data) {
  LocalComm comm;
  return model.PredictProba(data, comm);
}

// What the typed tests need of an algorithm: a model of `rounds` rounds (trees, boosting rounds or
// most solver iterations), the rounds a fitted model holds, whether it always fits all of them,
// the extra parameters that make a fit random (monitoring must not disturb the random stream),
// how close a stopped model or a checkpoint predicts to one fit for that many rounds (and, for
// boosting, a warm-started one to one fit of all the rounds), and what else a stopped model shows.
struct GbdtAlgorithm {
  static std::unique_ptr<Classifier> Make(int rounds, ParamMap params = {}) {
    params["num_iterations"] = std::to_string(rounds);
    params["num_leaves"] = "15";
    return MakeGbdtClassifier(params);
  }
  static int Rounds(const Classifier& model) {
    return dynamic_cast<const GbdtClassifier&>(model).iterations();
  }
  static ParamMap Randomized() { return {{"bagging_fraction", "0.7"}, {"bagging_freq", "3"}}; }
  static constexpr bool kFitsEveryRound = true;
  static constexpr double kTolerance = 0.0;  // the same trees: the same floats
  static constexpr double kContinuedTolerance = 0.0;
  static void CheckStopped(const Classifier&) {}
};

struct XgboostAlgorithm {
  // One thread: on a loaded machine OpenMP barriers of small fits wait for descheduled threads.
  static std::unique_ptr<Classifier> Make(int rounds, ParamMap params = {}) {
    params["n_estimators"] = std::to_string(rounds);
    params["max_depth"] = "4";
    params["nthread"] = "1";
    return MakeXgboostClassifier(params);
  }
  static int Rounds(const Classifier& model) {
    return dynamic_cast<const XgboostClassifier&>(model).rounds();
  }
  static ParamMap Randomized() { return {{"subsample", "0.7"}}; }
  static constexpr bool kFitsEveryRound = true;
  static constexpr double kTolerance = 1e-6;  // libxgboost sums margins in its own order
  static constexpr double kContinuedTolerance = 1e-5;
  static void CheckStopped(const Classifier&) {}
};

struct LogregAlgorithm {
  // L-BFGS: enough iterations on these blobs for reports every k to mean something.
  static std::unique_ptr<Classifier> Make(int rounds, ParamMap params = {}) {
    params["max_iter"] = std::to_string(rounds);
    params.try_emplace("solver", "lbfgs");
    return MakeLogregClassifier(params);
  }
  static int Rounds(const Classifier& model) {
    return dynamic_cast<const LogregClassifier&>(model).iterations();
  }
  static ParamMap Randomized() { return {}; }
  static constexpr bool kFitsEveryRound = false;  // converges before max_iter
  static constexpr double kTolerance = 0.0;
  static void CheckStopped(const Classifier& model) {
    EXPECT_FALSE(dynamic_cast<const LogregClassifier&>(model).converged());
  }
};

struct ForestAlgorithm {
  static std::unique_ptr<Classifier> Make(int rounds, ParamMap params = {}) {
    params["n_estimators"] = std::to_string(rounds);
    params["max_depth"] = "6";
    return MakeForestClassifier(params);
  }
  static int Rounds(const Classifier& model) {
    return static_cast<int>(dynamic_cast<const ForestClassifier&>(model).trees().size());
  }
  static ParamMap Randomized() { return {}; }  // bootstrap samples and feature draws already
  static constexpr bool kFitsEveryRound = true;
  static constexpr double kTolerance = 0.0;
  static void CheckStopped(const Classifier&) {}
};

template <typename Algorithm>
class MonitoringTest : public ::testing::Test {};

class AlgorithmNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, GbdtAlgorithm>) return "gbdt";
    if (std::is_same_v<T, XgboostAlgorithm>) return "xgboost";
    if (std::is_same_v<T, LogregAlgorithm>) return "logreg";
    return "rf";
  }
};

using IterativeAlgorithms =
    ::testing::Types<GbdtAlgorithm, XgboostAlgorithm, LogregAlgorithm, ForestAlgorithm>;
TYPED_TEST_SUITE(MonitoringTest, IterativeAlgorithms, AlgorithmNames);

// Reports at k, 2k, ... and at the last round, whatever the number of classes.
TYPED_TEST(MonitoringTest, ReportsEveryKRoundsAndTheLastWithTheModelsProbabilities) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 3);
    auto model = TypeParam::Make(13);
    RecordingMonitor monitor(split.valid);
    model->set_monitoring(monitor.Monitoring(4));
    LocalComm comm;
    model->Fit(split.train, comm);
    const int rounds = TypeParam::Rounds(*model);
    if (TypeParam::kFitsEveryRound) {
      EXPECT_EQ(rounds, 13) << classes;
    }
    ASSERT_GT(rounds, 4) << classes;
    std::vector<int> expected;
    for (int round = 4; round <= rounds; round += 4) expected.push_back(round);
    if (expected.back() != rounds) expected.push_back(rounds);
    EXPECT_EQ(monitor.iterations, expected) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5) << classes;
  }
}

TYPED_TEST(MonitoringTest, OffGivesTheSameModelAsMonitored) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 4);
    auto plain = TypeParam::Make(10, TypeParam::Randomized());
    auto monitored = TypeParam::Make(10, TypeParam::Randomized());
    RecordingMonitor monitor(split.valid);
    monitored->set_monitoring(monitor.Monitoring(1));
    LocalComm comm;
    plain->Fit(split.train, comm);
    monitored->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations.size(), static_cast<std::size_t>(TypeParam::Rounds(*plain)));
    EXPECT_EQ(Payload(*plain), Payload(*monitored)) << classes;
  }
}

TYPED_TEST(MonitoringTest, StopLeavesAModelOfThatManyRounds) {
  Split split = MakeSplit(3, 5);
  auto model = TypeParam::Make(30);
  RecordingMonitor monitor(split.valid, /*stop_at=*/6);
  model->set_monitoring(monitor.Monitoring(3));
  LocalComm comm;
  model->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations, (std::vector<int>{3, 6}));
  EXPECT_EQ(TypeParam::Rounds(*model), 6);
  TypeParam::CheckStopped(*model);
  auto six = TypeParam::Make(6);
  six->Fit(split.train, comm);
  EXPECT_LE(MaxDifference(Proba(*model, split.valid), Proba(*six, split.valid)),
            TypeParam::kTolerance);
}

template <typename Algorithm>
class BoostingMonitoringTest : public ::testing::Test {};

using BoostingAlgorithms = ::testing::Types<GbdtAlgorithm, XgboostAlgorithm>;
TYPED_TEST_SUITE(BoostingMonitoringTest, BoostingAlgorithms, AlgorithmNames);

TYPED_TEST(BoostingMonitoringTest, CheckpointPredictsAsAModelOfThatManyRounds) {
  Split split = MakeSplit(2, 6);
  auto model = TypeParam::Make(20);
  RecordingMonitor monitor(split.valid, 0, /*checkpoint_at=*/8);
  model->set_monitoring(monitor.Monitoring(4));
  LocalComm comm;
  model->Fit(split.train, comm);
  ASSERT_FALSE(monitor.checkpoint.empty());
  auto loaded = TypeParam::Make(20);
  LoadPayload(monitor.checkpoint, monitor.checkpoint_classes, *loaded);
  EXPECT_EQ(TypeParam::Rounds(*loaded), 8);
  auto eight = TypeParam::Make(8);
  eight->Fit(split.train, comm);
  EXPECT_LE(MaxDifference(Proba(*loaded, split.valid), Proba(*eight, split.valid)),
            TypeParam::kTolerance);
}

// LightGBM's init_model, XGBoost's xgb_model: 40 rounds, saved, loaded and continued to 100
// predict as the 100 rounds of one fit, and the continued fit reports rounds 41.. .
TYPED_TEST(BoostingMonitoringTest, WarmStartFromASavedModelContinuesToTheSameModel) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 7);
    LocalComm comm;
    auto straight = TypeParam::Make(100);
    straight->Fit(split.train, comm);
    auto first = TypeParam::Make(40);
    first->Fit(split.train, comm);
    auto continued = TypeParam::Make(100);
    LoadPayload(Payload(*first), first->classes(), *continued);
    continued->set_warm_start(true);
    RecordingMonitor monitor(split.valid);
    continued->set_monitoring(monitor.Monitoring(30));
    continued->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{60, 90, 100})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5);
    EXPECT_EQ(TypeParam::Rounds(*continued), 100);
    EXPECT_LE(MaxDifference(Proba(*straight, split.valid), Proba(*continued, split.valid)),
              TypeParam::kContinuedTolerance)
        << classes;
  }
}

TYPED_TEST(BoostingMonitoringTest, WithoutWarmStartASecondFitStartsOver) {
  Split split = MakeSplit(2, 9);
  LocalComm comm;
  auto model = TypeParam::Make(5);
  model->Fit(split.train, comm);
  model->Fit(split.train, comm);
  EXPECT_EQ(TypeParam::Rounds(*model), 5);
  model->set_warm_start(true);
  model->Fit(split.train, comm);  // already at the rounds asked for: nothing to add
  EXPECT_EQ(TypeParam::Rounds(*model), 5);
}

// gbdt only: a checkpoint taken inside OnRound resumes to the same model (payload), a warm start
// on other classes is refused, and early stopping reports the kept model last.
TEST(GbdtMonitoring, CheckpointSavedInsideOnRoundContinuesToTheSameModel) {
  Split split = MakeSplit(2, 8);
  LocalComm comm;
  auto straight = GbdtAlgorithm::Make(60);
  RecordingMonitor monitor(split.valid, 0, /*checkpoint_at=*/25);
  straight->set_monitoring(monitor.Monitoring(25));
  straight->Fit(split.train, comm);
  auto resumed = GbdtAlgorithm::Make(60);
  LoadPayload(monitor.checkpoint, monitor.checkpoint_classes, *resumed);
  resumed->set_warm_start(true);
  resumed->Fit(split.train, comm);
  EXPECT_EQ(Payload(*straight), Payload(*resumed));
}

TEST(GbdtMonitoring, WarmStartOnOtherClassesIsAnInputError) {
  Split two = MakeSplit(2, 10), three = MakeSplit(3, 10);
  LocalComm comm;
  auto model = GbdtAlgorithm::Make(5);
  model->Fit(two.train, comm);
  model->set_warm_start(true);
  EXPECT_THROW(model->Fit(three.train, comm), Error);
}

TEST(GbdtMonitoring, EarlyStoppingReportsTheKeptModelLast) {
  Split split = MakeSplit(2, 11);
  auto model = GbdtAlgorithm::Make(400, {{"early_stopping_round", "5"}, {"learning_rate", "0.5"}});
  RecordingMonitor monitor(split.valid);
  model->set_monitoring(monitor.Monitoring(10));
  LocalComm comm;
  model->Fit(split.train, comm);
  const int kept = GbdtAlgorithm::Rounds(*model);
  ASSERT_LT(kept, 400);
  ASSERT_FALSE(monitor.iterations.empty());
  EXPECT_EQ(monitor.iterations.back(), kept);
  EXPECT_LE(monitor.max_difference, 1e-5);
}

// logreg only: Newton (few parameters), softmax and one-vs-rest report every iteration too.
TEST(LogregMonitoring, EverySolverReportsEveryIterationAndChangesNothing) {
  const std::vector<std::pair<int, ParamMap>> cases = {
      {2, {}}, {3, {}}, {3, {{"multi_class", "ovr"}}}};
  for (const auto& [classes, params] : cases) {
    Split split = MakeSplit(classes, 3);
    auto model = MakeLogregClassifier(params);
    RecordingMonitor monitor(split.valid);
    model->set_monitoring(monitor.Monitoring(1));
    LocalComm comm;
    model->Fit(split.train, comm);
    ASSERT_FALSE(monitor.iterations.empty()) << classes;
    for (std::size_t i = 0; i < monitor.iterations.size(); ++i) {
      EXPECT_EQ(monitor.iterations[i], static_cast<int>(i) + 1) << classes;
    }
    EXPECT_LE(monitor.max_difference, 1e-5) << classes;
    auto plain = MakeLogregClassifier(params);
    plain->Fit(split.train, comm);
    EXPECT_EQ(Payload(*plain), Payload(*model)) << classes;
  }
}

}  // namespace
}  // namespace scaleml
