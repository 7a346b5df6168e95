// Reports every k trees and kStop of rf (algo/TrainingMonitor.h).
#include <gtest/gtest.h>

#include "algo/AlgorithmFactories.h"
#include "algo/forest/ForestClassifier.h"
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
  Dataset data = MakeBlobs(1000, 5, classes, 1.0, seed);
  std::vector<std::size_t> train_rows, valid_rows;
  for (std::size_t r = 0; r < data.rows(); ++r) (r % 5 == 0 ? valid_rows : train_rows).push_back(r);
  return {data.Take(train_rows), data.Take(valid_rows)};
}

std::unique_ptr<Classifier> Make(int trees) {
  return MakeForestClassifier({{"n_estimators", std::to_string(trees)}, {"max_depth", "6"}});
}

TEST(ForestMonitoring, ReportsEveryKTreesAndTheLastWithTheModelsProbabilities) {
  for (int classes : {2, 3}) {
    Split split = MakeSplit(classes, 3);
    auto model = Make(17);
    RecordingMonitor monitor(split.valid);
    model->set_monitoring(monitor.Monitoring(5));
    LocalComm comm;
    model->Fit(split.train, comm);
    EXPECT_EQ(monitor.iterations, (std::vector<int>{5, 10, 15, 17})) << classes;
    EXPECT_LE(monitor.max_difference, 1e-5) << classes;
    auto plain = Make(17);
    plain->Fit(split.train, comm);
    EXPECT_EQ(Payload(*plain), Payload(*model)) << classes;  // monitoring changes nothing
  }
}

TEST(ForestMonitoring, StopLeavesTheFirstTrees) {
  Split split = MakeSplit(2, 4);
  auto model = Make(40);
  RecordingMonitor monitor(split.valid, /*stop_at=*/6);
  model->set_monitoring(monitor.Monitoring(3));
  LocalComm comm;
  model->Fit(split.train, comm);
  EXPECT_EQ(monitor.iterations, (std::vector<int>{3, 6}));
  const auto& trees = dynamic_cast<ForestClassifier&>(*model).trees();
  ASSERT_EQ(trees.size(), 6u);
  auto six = Make(6);
  six->Fit(split.train, comm);
  EXPECT_EQ(Payload(*six), Payload(*model));
}

}  // namespace
}  // namespace scaleml
