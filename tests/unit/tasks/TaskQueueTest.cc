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
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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

// Memory admission: two tasks that each declare 600 MB on a node that offers 1 GB run one after
// the other although the node has CPUs for both; with no memory declared they run together.
TEST_F(TaskQueueTest, TasksWaitForDeclaredMemory) {
  TestCluster cluster;
  cluster.StartAgent("a", 2, 64 << 20, /*memory=*/1000 * 1000 * 1000);
  Driver driver(cluster.cluster(), 60.0, cluster.home());
  auto overlap = [&](std::int64_t memory) {
    std::vector<TaskRef> refs;
    for (int i = 0; i < 2; ++i) {
      refs.push_back(driver.Submit("sleep", {{"seconds", 0.5}}, {}, 1, 0, memory));
    }
    std::vector<TaskRecord> records;
    for (const auto& ref : refs) records.push_back(driver.Get(ref, 20));
    for (const auto& r : records) EXPECT_EQ(r.state, TaskState::kDone) << r.error;
    return std::min(records[0].finished, records[1].finished) -
           std::max(records[0].started, records[1].started);
  };
  EXPECT_LT(overlap(600 * 1000 * 1000), 0.05) << "the second started before the first finished";
  EXPECT_GT(overlap(0), 0.2) << "without memory declared both run at once";
}

TEST_F(TaskQueueTest, TasksOfALostNodeRunElsewhere) {
  TestCluster cluster(/*node_timeout_ms=*/800);
  const pid_t doomed = cluster.StartAgent("doomed", 4);
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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
  // The same submission repeated (a lost reply) changes nothing; another spec under that id is
  // refused.
  control.Submit(spec, "d");
  EXPECT_EQ(control.Task("t1")->state, TaskState::kDone);
  EXPECT_EQ(control.Counts().done, 1);
  spec.args = {{"other", 1}};
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
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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
  Driver driver(cluster.cluster(), 60.0, cluster.home());
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
    Driver driver(cluster.cluster(), 60.0, cluster.home());
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

// One malformed entry in the queue (written with the token) used to stop every agent that read
// it, one after the other; now each is moved to the dead-letter list and the agent goes on.
TEST_F(TaskQueueTest, MalformedQueueEntriesAreMovedAsideAndTheAgentGoesOn) {
  TestCluster cluster;
  const pid_t agent = cluster.StartAgent("a", 2);
  ControlStore control(cluster.cluster().address, cluster.cluster().token);
  const std::vector<std::vector<std::string>> bad = {
      {"task", "x1", "attempt", "0", "spec", "{not json"},
      {"task", "x2", "attempt", "0", "spec", R"({"task_id": 7, "function": ["echo"]})"},
      {"task", "x3", "attempt", "zero", "spec", "[1, 2, 3]"},
      {"task", "x4", "attempt", "0"},
      {"task", "x6\xff", "attempt", "0", "spec", "\xff\xfe{\"task_id\": \"\xc3\""},
      {"task", "x5", "attempt", "0", "spec",
       R"({"task_id": "x5", "function": "echo", "args": ")" + std::string(2 << 20, 'a') + "\"}"},
  };
  for (const auto& fields : bad) {
    std::vector<std::string> command = {"XADD", "sm:queue", "*"};
    command.insert(command.end(), fields.begin(), fields.end());
    control.redis().Command(command);
  }
  Driver driver(cluster.cluster(), 60.0, cluster.home());
  std::vector<TaskRef> refs;
  for (int i = 0; i < 5; ++i) refs.push_back(driver.Submit("echo", {{"i", i}}));
  ASSERT_EQ(driver.Wait(refs, refs.size(), 30).size(), refs.size());
  for (const auto& ref : refs) EXPECT_EQ(driver.Get(ref, 5).state, TaskState::kDone);
  EXPECT_TRUE(ProcessAlive(agent, ""));
  auto letters = control.DeadLetters();
  ASSERT_EQ(letters.size(), bad.size());
  for (const auto& text : letters) {
    auto letter = nlohmann::json::parse(text);
    EXPECT_FALSE(letter.at("message_id").get<std::string>().empty());
    EXPECT_NE(letter.at("error").get<std::string>().find("task"), std::string::npos) << text;
    EXPECT_LT(text.size(), 4096u);  // an excerpt, not the 2 MiB entry
  }
  EXPECT_NE(letters[5].find("bytes (at most"), std::string::npos) << letters[5];
  // Out of the queue, and out of the agent's pending entries.
  EXPECT_EQ(control.redis().Command({"XLEN", "sm:queue"}).AsInt(), 0);
}

// A task no node can place (64 CPUs on a 2-CPU cluster) is cancelled once its driver gives up,
// whether the driver exits (it cancels its unfinished tasks) or dies (its keep-alive expires).
TEST_F(TaskQueueTest, AnUnplaceableTaskIsCancelledOnceItsDriverIsGone) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  std::string exited_id;
  {
    Driver driver(cluster.cluster(), 60.0, cluster.home());
    exited_id = driver.Submit("echo", {{"x", 1}}, {}, 64).id;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // bounced at least once
  }
  ControlStore control(cluster.cluster().address, cluster.cluster().token);
  auto record = control.Task(exited_id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state, TaskState::kFailed);
  EXPECT_NE(record->error.find("driver is gone"), std::string::npos) << record->error;

  // A driver that died: only its keep-alive's expiry tells.
  TaskSpec spec;
  spec.task_id = "big";
  spec.function = "echo";
  spec.cpus = 64;
  control.DriverKeepAlive("dead-driver", 300);
  control.Submit(spec, "dead-driver");
  for (int i = 0; i < 300 && !control.Task("big")->final(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  record = control.Task("big");
  EXPECT_EQ(record->state, TaskState::kFailed);
  EXPECT_NE(record->error.find("no node could place it"), std::string::npos) << record->error;
  TaskCounts counts = control.Counts();
  EXPECT_EQ(counts.pending + counts.running, 0);
  EXPECT_EQ(counts.failed, 2);
  EXPECT_EQ(control.redis().Command({"XLEN", "sm:queue"}).AsInt(), 0);
}

// The head's Redis killed (SIGKILL) while tasks run and started again on its folder: the agent
// and the driver reconnect, and every task ends with exactly one result.
TEST_F(TaskQueueTest, ARestartedRedisComesBackWithItsStateAndEveryTaskRunsOnce) {
  TestCluster cluster;
  cluster.StartAgent("a", 2);
  Driver driver(cluster.cluster(), 30.0, cluster.home());
  std::vector<TaskRef> refs;
  for (int i = 0; i < 12; ++i) refs.push_back(driver.Submit("sleep", {{"seconds", 0.15}}));
  for (int i = 0; i < 300 && driver.control().Counts().done < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cluster.RestartRedis(0.5);
  ASSERT_EQ(driver.Wait(refs, refs.size(), 60).size(), refs.size());
  for (const auto& ref : refs) EXPECT_EQ(driver.Get(ref, 5).state, TaskState::kDone) << ref.id;
  TaskCounts counts = driver.control().Counts();
  EXPECT_EQ(counts.done, 12);
  EXPECT_EQ(counts.pending + counts.running + counts.failed, 0);
}

// What a Redis restarted from its append-only file can lose (the last second of writes), made
// by hand: a task's end and a task's submission. The agent, on reconnecting, says the end again;
// the driver submits the lost task again; each ends with one result.
TEST_F(TaskQueueTest, WritesLostByARestartedRedisAreRepairedByTheirWriters) {
  TestCluster cluster;
  cluster.StartAgent("a", 1);
  Driver driver(cluster.cluster(), 30.0, cluster.home());
  ControlStore control(cluster.cluster().address, cluster.cluster().token, 5.0, 30.0);
  TaskRef done = driver.Submit("echo", {{"v", 7}});
  ASSERT_EQ(driver.Get(done, 10).state, TaskState::kDone);
  // The end of `done` lost: its record reads RUNNING again.
  control.redis().Command({"HSET", "sm:task:" + done.id, "state", "RUNNING", "result", ""});
  control.redis().Command({"HINCRBY", "sm:counts", "done", "-1"});
  control.redis().Command({"HINCRBY", "sm:counts", "running", "1"});
  // The submission of `lost` lost: no record, no queue entry (the agent is busy meanwhile).
  TaskRef busy = driver.Submit("sleep", {{"seconds", 0.5}});
  for (int i = 0; i < 300 && control.Counts().running < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  TaskRef lost = driver.Submit("echo", {{"v", 8}});
  for (const auto& entry : control.redis().Command({"XRANGE", "sm:queue", "-", "+"}).elements) {
    if (entry.elements.at(1).elements.at(1).str == lost.id) {
      control.redis().Command({"XDEL", "sm:queue", entry.elements.at(0).str});
    }
  }
  control.redis().Command({"DEL", "sm:task:" + lost.id});
  control.redis().Command({"HINCRBY", "sm:counts", "pending", "-1"});
  // Every connection drops, as when Redis restarts.
  control.redis().Command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"});

  TaskRecord lost_record = driver.Get(lost, 20);
  EXPECT_EQ(lost_record.state, TaskState::kDone);
  EXPECT_EQ(lost_record.result["v"].get<int>(), 8);
  EXPECT_EQ(driver.Get(busy, 20).state, TaskState::kDone);
  for (int i = 0; i < 500 && control.Task(done.id)->state != TaskState::kDone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto record = control.Task(done.id);
  EXPECT_EQ(record->state, TaskState::kDone);
  EXPECT_EQ(record->result["v"].get<int>(), 7);
  EXPECT_EQ(record->attempt, 0);  // said again, not run again
  TaskCounts counts = control.Counts();
  EXPECT_EQ(counts.done, 3);
  EXPECT_EQ(counts.pending + counts.running + counts.failed, 0);
}

}  // namespace
}  // namespace scaleml::tasks
