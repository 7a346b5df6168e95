#include "engine/tasks/TaskRegistry.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "unit/tasks/TestTasks.h"

namespace scaleml::tasks {
namespace {

TEST(TaskRegistryTest, TheProductionRegistryOffersOnlyTheEngineTasks) {
  const TaskRegistry& builtin = TaskRegistry::Builtin();
  EXPECT_TRUE(builtin.Contains("train_trial"));
  EXPECT_TRUE(builtin.Contains("echo"));
  for (const char* test_only : {"sleep", "crash", "fail", "dataset_sum"}) {
    EXPECT_FALSE(builtin.Contains(test_only)) << test_only;
    EXPECT_TRUE(TestRegistry().Contains(test_only)) << test_only;
    EXPECT_THROW(builtin.Find(test_only), Error);
  }
  EXPECT_TRUE(TestRegistry().Contains("train_trial"));
}

}  // namespace
}  // namespace scaleml::tasks
