// Admission of tasks by CPUs and memory: run now, wait for running tasks, or never on this node;
// the reasons name the numbers; tune's memory estimate grows with the dataset.
#include <gtest/gtest.h>

#include "engine/tasks/Admission.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tune/MemoryEstimate.h"

namespace scaleml::tasks {
namespace {

constexpr std::int64_t kGB = std::int64_t{1} << 30;

TEST(AdmissionTest, ByCpusAndMemory) {
  const NodeResources node{4, 1, 8 * kGB, 5 * kGB};  // 3 CPUs and 3 GB free
  struct Case {
    const char* what;
    int cpus;
    std::int64_t memory;
    Admission expected;
  };
  const Case cases[] = {
      {"fits both", 2, 2 * kGB, Admission::kRun},
      {"exactly what is free", 3, 3 * kGB, Admission::kRun},
      {"no memory declared", 1, 0, Admission::kRun},
      {"memory busy: waits", 1, 4 * kGB, Admission::kWait},
      {"CPUs busy: waits", 4, 1 * kGB, Admission::kWait},
      {"more memory than the node has", 1, 9 * kGB, Admission::kNever},
      {"more CPUs than the node has", 5, 0, Admission::kNever},
  };
  for (const auto& c : cases) EXPECT_EQ(Admit(c.cpus, c.memory, node), c.expected) << c.what;
}

TEST(AdmissionTest, ANodeThatOffersNoMemoryRunsOnlyTasksThatDeclareNone) {
  const NodeResources node{2, 0, 0, 0};
  EXPECT_EQ(Admit(1, 0, node), Admission::kRun);
  EXPECT_EQ(Admit(1, 1, node), Admission::kNever);
}

TEST(AdmissionTest, NeverFitsNamesNeededAndAvailable) {
  const NodeResources node{4, 0, 2000 * 1000 * 1000LL, 0};
  const std::string memory = NeverFitsMessage(1, 5000 * 1000 * 1000LL, node, "head");
  EXPECT_NE(memory.find("5000.0 MB"), std::string::npos) << memory;
  EXPECT_NE(memory.find("node head has 2000.0 MB"), std::string::npos) << memory;
  EXPECT_NE(NeverFitsMessage(8, 0, node, "head").find("8 CPUs; node head has 4"),
            std::string::npos);
}

TEST(AdmissionTest, TheMemoryDeclarationTravelsWithTheTask) {
  TaskSpec spec;
  spec.task_id = "t1";
  spec.function = "f";
  spec.memory = 3 * kGB;
  EXPECT_EQ(TaskSpec::FromJson(spec.ToJson()).memory, 3 * kGB);
  nlohmann::json old = spec.ToJson();
  old.erase("memory");  // a spec from before memory admission
  EXPECT_EQ(TaskSpec::FromJson(old).memory, 0);
  old["memory"] = -1;
  EXPECT_ANY_THROW(TaskSpec::FromJson(old));
}

TEST(AdmissionTest, StoreUseRoundTripsThroughTheHeartbeatFields) {
  StoreUse use{100, 1, 2000, 3};
  nlohmann::json heartbeat = {{"used_cpus", 1}};
  use.AddTo(&heartbeat);
  EXPECT_EQ(heartbeat["object_store_spilled_bytes"], 2000);
  const StoreUse back = StoreUse::FromJson(heartbeat);
  EXPECT_EQ(back.shm_bytes, 100);
  EXPECT_EQ(back.spilled_objects, 3);
}

TEST(MemoryEstimateTest, GrowsWithTheDatasetForEveryAlgorithm) {
  for (const char* algo : {"gbdt", "xgboost", "logreg", "rf", "knn"}) {
    const auto factor = tune::MemoryFactorOf(algo);
    EXPECT_EQ(std::string(factor.algo), algo);
    const std::int64_t small = tune::EstimateTrialMemory(algo, 1 << 20);
    const std::int64_t large = tune::EstimateTrialMemory(algo, 1 << 30);
    EXPECT_GT(small, factor.base_bytes) << algo;
    EXPECT_GE(large, static_cast<std::int64_t>(1 << 30)) << algo << ": at least the data itself";
    EXPECT_NEAR(static_cast<double>(large - factor.base_bytes), factor.per_dataset_byte * (1 << 30),
                1.0)
        << algo;
  }
}

}  // namespace
}  // namespace scaleml::tasks
