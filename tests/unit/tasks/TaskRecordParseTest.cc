// Records of the tasks engine as Redis returns them, parsed by pure functions: a malformed queue
// entry or record, JSON that does not parse, a wrong type or a number out of range is a Failure
// naming what is wrong, never an uncaught nlohmann exception or a silent cast.
#include <gtest/gtest.h>

#include "core/Error.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ControlStore.h"

namespace scaleml::tasks {
namespace {

RedisReply Str(const std::string& text) {
  RedisReply reply;
  reply.type = RedisReply::Type::kString;
  reply.str = text;
  return reply;
}

RedisReply Array(std::vector<RedisReply> elements) {
  RedisReply reply;
  reply.type = RedisReply::Type::kArray;
  reply.elements = std::move(elements);
  return reply;
}

RedisReply Entry(const std::string& spec, const std::string& attempt = "0") {
  return Array({Str("1-0"), Array({Str("spec"), Str(spec), Str("attempt"), Str(attempt)})});
}

TEST(TaskRecordParseTest, AQueueEntryRoundTrips) {
  TaskSpec spec;
  spec.task_id = "t1";
  spec.function = "train_trial";
  spec.refs = {"00ff"};
  spec.cpus = 2;
  QueuedTask task = ParseQueuedTask(Entry(spec.ToJson().dump(), "3"));
  EXPECT_EQ(task.message_id, "1-0");
  EXPECT_EQ(task.attempt, 3);
  EXPECT_EQ(task.spec.task_id, "t1");
  EXPECT_EQ(task.spec.refs, std::vector<std::string>{"00ff"});
  EXPECT_EQ(task.spec.cpus, 2);
}

TEST(TaskRecordParseTest, MalformedEntriesAreFailures) {
  EXPECT_THROW(ParseQueuedTask(Array({})), Error);
  EXPECT_THROW(ParseQueuedTask(Entry("{not json")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry("[1, 2]")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry(R"({"cpus": 1e300})")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry(R"({"cpus": 4294967296})")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry(R"({"refs": [1, 2]})")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry(R"({"task_id": 7})")), Error);
  EXPECT_THROW(ParseQueuedTask(Entry("{}", "-1")), Error);
}

TEST(TaskRecordParseTest, TaskRecords) {
  std::vector<RedisReply> fields = {Str("DONE"), Str("1"), Str("n1"),  Str(R"({"accuracy": 0.9})"),
                                    Str(""),     Str("h"), Str("1.5"), Str("2.5"),
                                    Str("3.5")};
  auto record = ParseTaskRecord("t", Array(fields));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, TaskState::kDone);
  EXPECT_EQ(record->attempt, 1);
  EXPECT_EQ(record->result["accuracy"].get<double>(), 0.9);
  EXPECT_EQ(record->finished, 3.5);
  EXPECT_FALSE(ParseTaskRecord("t", Array({RedisReply()})).has_value());  // no such task
  auto bad_json = fields;
  bad_json[3] = Str("{");
  EXPECT_THROW(ParseTaskRecord("t", Array(bad_json)), Error);
  auto bad_time = fields;
  bad_time[7] = Str("soon");
  EXPECT_THROW(ParseTaskRecord("t", Array(bad_time)), Error);
  EXPECT_THROW(ParseTaskRecord("t", Array({Str("DONE")})), Error);  // too short
}

TEST(TaskRecordParseTest, NodeRecords) {
  EXPECT_EQ(NodeInfo::FromJson(nlohmann::json{{"cpus", 4}}).cpus, 4);
  EXPECT_THROW(NodeInfo::FromJson(nlohmann::json::array()), Error);
  EXPECT_THROW(NodeInfo::FromJson(nlohmann::json{{"cpus", "four"}}), Error);
  EXPECT_THROW(NodeInfo::FromJson(nlohmann::json{{"pid", -1e20}}), Error);
}

}  // namespace
}  // namespace scaleml::tasks
