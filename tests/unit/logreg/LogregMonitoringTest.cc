// Per-iteration reports and kStop of logreg (algo/TrainingMonitor.h).
#include <gtest/gtest.h>

#include "algo/AlgorithmFactories.h"
#include "algo/logreg/LogregClassifier.h"
#include "comm/LocalComm.h"
#include "unit/testing/RecordingMonitor.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::MakeBlobs;
using testing::Payload;
using testing::RecordingMonitor;

struct Split {
  Dataset train, valid;
};

Split MakeSplit(int classes, std::uint64_t seed) {
  Dataset data = MakeBlobs(1500, 5, classes, 1.0, seed);
  std::vector<std::size_t> train_rows, valid_rows;
  for (std::size_t r = 0; r < data.rows(); ++r) (r % 5 == 0 ? valid_rows : train_rows).push_back(r);
  return {data.Take(train_rows), data.Take(valid_rows)};
}

const LogregClassifier& AsLogreg(const Classifier& model) {
  return dynamic_cast<const LogregClassifier&>(model);
}

// Newton (few parameters), L-BFGS, softmax and one-vs-rest all report.
TEST(LogregMonitoring, ReportsEveryIterationAndTheLastWithTheModelsProbabilities) {
  const std::vector<std::pair<int, ParamMap>> cases = {
      {2, {}}, {2, {{"solver", "lbfgs"}}}, {3, {}}, {3, {{"multi_class", "ovr"}}}};
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
    EXPECT_EQ(Payload(*plain), Payload(*model)) << classes;  // monitoring changes nothing
  }
}

TEST(LogregMonitoring, ReportEveryKKeepsTheLast) {
  Split split = MakeSplit(2, 4);
  auto model = MakeLogregClassifier({{"solver", "lbfgs"}});
  RecordingMonitor monitor(split.valid);
  model->set_monitoring(monitor.Monitoring(3));
  LocalComm comm;
  model->Fit(split.train, comm);
  const int iterations = AsLogreg(*model).iterations();
  ASSERT_GT(iterations, 3);
  std::vector<int> expected;
  for (int i = 3; i <= iterations; i += 3) expected.push_back(i);
  if (expected.back() != iterations) expected.push_back(iterations);
  EXPECT_EQ(monitor.iterations, expected);
}

TEST(LogregMonitoring, StopEndsTheSolverWithAUsableModel) {
  Split split = MakeSplit(2, 5);
  auto model = MakeLogregClassifier({{"solver", "lbfgs"}});
  RecordingMonitor monitor(split.valid, /*stop_at=*/2);
  model->set_monitoring(monitor.Monitoring(1));
  LocalComm comm;
  model->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations, (std::vector<int>{1, 2}));
  EXPECT_EQ(AsLogreg(*model).iterations(), 2);
  EXPECT_FALSE(AsLogreg(*model).converged());
  auto proba = model->PredictProba(split.valid, comm);
  EXPECT_EQ(proba.size(), split.valid.rows() * 2);
}

}  // namespace
}  // namespace scaleml
