// The task queue against a real redis-server and real node agents (forked from the test):
// results, retries after worker crashes and node loss, exactly one result per task, tokens.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/Error.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/Driver.h"
#include "engine/tasks/RedisClient.h"
#include "unit/tasks/TestCluster.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml::tasks {
namespace {

using test_support::TestCluster;

class TaskQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::Available()) GTEST_SKIP() << "redis-server is not installed";
  }
};

pid_t WaitForPidFile(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(path);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

TEST_F(TaskQueueTest, EchoTasksReturnTheirArgumentsOnce) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  Driver driver(cluster.cluster());
  std::vector<TaskRef> refs;
  for (int i = 0; i < 50; ++i) refs.push_back(driver.Submit("echo", {{"i", i}}));
  auto ready = driver.Wait(refs, refs.size(), 30);
  ASSERT_EQ(ready.size(), refs.size());
  for (int i = 0; i < 50; ++i) {
    TaskRecord record = driver.Get(refs[i], 5);
    EXPECT_EQ(record.state, TaskState::kDone);
    EXPECT_EQ(record.result["i"].get<int>(), i);
    EXPECT_EQ(record.attempt, 0);
  }
  TaskCounts counts = driver.control().Counts();
  EXPECT_EQ(counts.done, 50);
  EXPECT_EQ(counts.pending + counts.running + counts.failed, 0);
}

TEST_F(TaskQueueTest, CrashedWorkerIsRetriedAndTheAgentSurvives) {
  TestCluster cluster;
  const pid_t agent = cluster.StartAgent("a", 1);
  Driver driver(cluster.cluster());
  TaskRef once = driver.Submit("crash", {{"crash_attempts", 1}}, {}, 1, 2);
  TaskRecord record = driver.Get(once, 20);
  EXPECT_EQ(record.state, TaskState::kDone);
  EXPECT_EQ(record.attempt, 1);
  EXPECT_NE(record.history.find("killed by signal SIGKILL (9)"), std::string::npos)
      << record.history;
  TaskRef always = driver.Submit("crash", nlohmann::json::object(), {}, 1, 1);
  record = driver.Get(always, 20);
  EXPECT_EQ(record.state, TaskState::kFailed);
  EXPECT_NE(record.error.find("2 attempts"), std::string::npos) << record.error;
  EXPECT_TRUE(ProcessAlive(agent, ""));
  // An exception is the task's answer, not a crash: no retry.
  record = driver.Get(driver.Submit("fail", {{"message", "bad input x"}}, {}, 1, 3), 20);
  EXPECT_EQ(record.state, TaskState::kFailed);
  EXPECT_EQ(record.attempt, 0);
  EXPECT_NE(record.error.find("bad input x"), std::string::npos);
  EXPECT_EQ(driver.Get(driver.Submit("echo", {{"after", 1}}), 20).state, TaskState::kDone);
  TaskCounts counts = driver.control().Counts();
  EXPECT_EQ(counts.done, 2);
  EXPECT_EQ(counts.failed, 2);
}

TEST_F(TaskQueueTest, KilledWorkerMidTaskIsRetriedAndFinishesOnce) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  Driver driver(cluster.cluster());
  const std::string pid_file = cluster.home() + "/sleep.pid";
  TaskRef ref = driver.Submit("sleep", {{"seconds", 1.0}, {"pid_file", pid_file}}, {}, 1, 3);
  const pid_t worker = WaitForPidFile(pid_file);
  ASSERT_GT(worker, 0);
  std::remove(pid_file.c_str());
  kill(worker, SIGKILL);
  TaskRecord record = driver.Get(ref, 20);
  EXPECT_EQ(record.state, TaskState::kDone);
  EXPECT_EQ(record.attempt, 1);
  EXPECT_NE(record.result["pid"].get<int>(), worker);
  EXPECT_EQ(driver.control().Counts().done, 1);
}

TEST_F(TaskQueueTest, TasksOfALostNodeRunElsewhere) {
  TestCluster cluster(/*node_timeout_ms=*/800);
  const pid_t doomed = cluster.StartAgent("doomed", 4);
  Driver driver(cluster.cluster());
  std::vector<TaskRef> refs;
  for (int i = 0; i < 4; ++i) refs.push_back(driver.Submit("sleep", {{"seconds", 1.5}}, {}, 1, 2));
  // Let the doomed node take them all, then kill it (its workers die with it).
  for (int i = 0; i < 200 && driver.control().Counts().running < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(driver.control().Counts().running, 4);
  kill(doomed, SIGKILL);
  cluster.StartAgent("survivor", 4);
  for (const auto& ref : refs) {
    TaskRecord record = driver.Get(ref, 30);
    EXPECT_EQ(record.state, TaskState::kDone);
    EXPECT_EQ(record.attempt, 1);
    EXPECT_NE(record.history.find("lost"), std::string::npos) << record.history;
  }
  TaskCounts counts = driver.control().Counts();
  EXPECT_EQ(counts.done, 4);
  EXPECT_EQ(counts.running + counts.pending + counts.failed, 0);
}

TEST_F(TaskQueueTest, AStaleAttemptCannotRecordAResult) {
  TestCluster cluster;
  ControlStore control(cluster.cluster().address, cluster.cluster().token);
  TaskSpec spec;
  spec.task_id = "t1";
  spec.function = "echo";
  control.DriverKeepAlive("d", 60000);
  control.Submit(spec, "d");
  auto taken = control.Take("n1", 1, 0);
  ASSERT_EQ(taken.size(), 1u);
  ASSERT_TRUE(control.Start(taken[0], "n1"));
  ASSERT_TRUE(control.Retry(taken[0], "simulated loss"));
  // The old attempt finishing late changes nothing.
  EXPECT_FALSE(control.Finish(taken[0], true, {{"late", true}}, ""));
  auto again = control.Take("n2", 1, 0);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 1);
  ASSERT_TRUE(control.Start(again[0], "n2"));
  EXPECT_TRUE(control.Finish(again[0], true, {{"v", 2}}, ""));
  EXPECT_FALSE(control.Finish(again[0], true, {{"v", 3}}, ""));
  auto record = control.Task("t1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->result["v"].get<int>(), 2);
  EXPECT_EQ(control.Counts().done, 1);
  EXPECT_THROW(control.Submit(spec, "d"), Error);
}

TEST_F(TaskQueueTest, WrongTokenIsRefused) {
  TestCluster cluster;
  std::string host;
  int port = 0;
  ParseAddress(cluster.cluster().address, &host, &port);
  try {
    RedisClient client(host, port, "not-the-token");
    FAIL() << "connected with a wrong token";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("refused the token"), std::string::npos);
  }
}

TEST_F(TaskQueueTest, TrialTrainsOnAZeroCopyDatasetFromTheObjectStore) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  Driver driver(cluster.cluster());
  Dataset data = scaleml::testing::MakeBlobs(3000, 4, 2, 4.0, 7);
  ObjectRef object = driver.Put(data);
  double expected_sum = 0;
  for (float v : data.feature_data()) expected_sum += v;
  TaskRecord sum = driver.Get(driver.Submit("dataset_sum", {}, {object}), 20);
  ASSERT_EQ(sum.state, TaskState::kDone) << sum.error;
  EXPECT_EQ(sum.result["rows"].get<int>(), 3000);
  EXPECT_DOUBLE_EQ(sum.result["feature_sum"].get<double>(), expected_sum);
  EXPECT_TRUE(sum.result["zero_copy"].get<bool>());
  TaskRecord trial = driver.Get(
      driver.Submit("train_trial", {{"algo", "logreg"}, {"params", {{"C", "1.0"}}}}, {object}, 2),
      60);
  ASSERT_EQ(trial.state, TaskState::kDone) << trial.error;
  EXPECT_GT(trial.result["accuracy"].get<double>(), 0.9);
  EXPECT_TRUE(trial.result["zero_copy"].get<bool>());
  auto nodes = driver.Nodes();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].objects, 1);
  EXPECT_EQ(nodes[0].object_bytes, static_cast<std::int64_t>(DatasetObject::SizeOf(data)));
}

TEST_F(TaskQueueTest, CancelStopsARunningTaskAndTheAgentGoesOn) {
  TestCluster cluster;
  const pid_t agent = cluster.StartAgent("a", 1);
  Driver driver(cluster.cluster());
  TaskRef ref = driver.Submit("sleep", {{"seconds", 30.0}}, {}, 1, 3);
  for (int i = 0; i < 300 && driver.control().Counts().running == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(driver.Cancel(ref, "not needed"));
  EXPECT_FALSE(driver.Cancel(ref));
  TaskRecord record = driver.Get(ref, 5);
  EXPECT_EQ(record.state, TaskState::kFailed);
  EXPECT_EQ(record.error, "not needed");
  // The worker was stopped (the one CPU is free again) and nothing was retried.
  EXPECT_EQ(driver.Get(driver.Submit("echo", {{"x", 1}}), 5).state, TaskState::kDone);
  EXPECT_EQ(driver.control().Task(ref.id)->attempt, 0);
  EXPECT_TRUE(ProcessAlive(agent, ""));
  TaskCounts counts = driver.control().Counts();
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.done, 1);
  EXPECT_EQ(counts.running + counts.pending, 0);
}

TEST_F(TaskQueueTest, TasksOfAGoneDriverAreCancelled) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  std::vector<std::string> ids;
  {
    Driver driver(cluster.cluster());
    for (int i = 0; i < 4; ++i) ids.push_back(driver.Submit("sleep", {{"seconds", 30.0}}).id);
    for (int i = 0; i < 300 && driver.control().Counts().running < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }  // the driver exits with 2 tasks running and 2 pending
  ControlStore control(cluster.cluster().address, cluster.cluster().token);
  for (int i = 0; i < 500 && control.Counts().failed < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (const auto& id : ids) {
    auto record = control.Task(id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->state, TaskState::kFailed);
    EXPECT_NE(record->error.find("driver is gone"), std::string::npos) << record->error;
  }
  TaskCounts counts = control.Counts();
  EXPECT_EQ(counts.failed, 4);
  EXPECT_EQ(counts.running + counts.pending + counts.done, 0);
}

}  // namespace
}  // namespace scaleml::tasks
