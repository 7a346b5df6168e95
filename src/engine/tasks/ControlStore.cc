#include "engine/tasks/ControlStore.h"

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

constexpr const char* kQueue = "sm:queue";
constexpr const char* kGroup = "agents";

// KEYS[1] task; ARGV id, spec, max_retries, driver, now. The same spec submitted again (a driver
// repeating a submission whose reply it lost, or one that a restarted Redis lost) answers 1.
constexpr const char* kSubmitScript = R"(
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'spec') == ARGV[2] then return 1 end
  return 0
end
redis.call('HSET', KEYS[1], 'spec', ARGV[2], 'state', 'PENDING', 'attempt', '0',
  'max_retries', ARGV[3], 'driver', ARGV[4], 'submitted', ARGV[5])
redis.call('HINCRBY', 'sm:counts', 'pending', 1)
redis.call('XADD', 'sm:queue', '*', 'task', ARGV[1], 'attempt', '0', 'spec', ARGV[2])
return 1)";

// KEYS[1] task; ARGV attempt, node, now, message id, driver, task id. A task whose driver is
// gone is cancelled here rather than run. Run twice by the same node (a reply lost with the
// connection), it answers 1 again.
constexpr const char* kStartScript = R"(
local st = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'node')
if st[1] == 'RUNNING' and st[2] == ARGV[1] and st[3] == ARGV[2] then return 1 end
local stale = st[1] ~= 'PENDING' or st[2] ~= ARGV[1]
if not stale and ARGV[5] ~= '' and redis.call('EXISTS', 'sm:drv:' .. ARGV[5]) == 0 then
  redis.call('HINCRBY', 'sm:counts', 'pending', -1)
  redis.call('HINCRBY', 'sm:counts', 'failed', 1)
  redis.call('HSET', KEYS[1], 'state', 'FAILED', 'error', 'cancelled: its driver is gone',
    'finished', ARGV[3], 'cancelled', '1')
  stale = true
end
if stale then
  redis.call('XACK', 'sm:queue', 'agents', ARGV[4])
  redis.call('XDEL', 'sm:queue', ARGV[4])
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'RUNNING', 'node', ARGV[2], 'started', ARGV[3])
redis.call('HINCRBY', 'sm:counts', 'pending', -1)
redis.call('HINCRBY', 'sm:counts', 'running', 1)
return 1)";

// KEYS[1] task; ARGV attempt, state, result, error, now, message id, task id
constexpr const char* kFinishScript = R"(
local st = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'driver')
redis.call('XACK', 'sm:queue', 'agents', ARGV[6])
redis.call('XDEL', 'sm:queue', ARGV[6])
if st[1] ~= 'RUNNING' or st[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'result', ARGV[3], 'error', ARGV[4],
  'finished', ARGV[5])
redis.call('HINCRBY', 'sm:counts', 'running', -1)
if ARGV[2] == 'DONE' then redis.call('HINCRBY', 'sm:counts', 'done', 1)
else redis.call('HINCRBY', 'sm:counts', 'failed', 1) end
redis.call('RPUSH', 'sm:driver:' .. st[3], ARGV[7])
redis.call('EXPIRE', 'sm:driver:' .. st[3], 86400)
return 1)";

// KEYS[1] task; ARGV attempt, reason, now, message id, task id
constexpr const char* kRetryScript = R"(
local st = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'max_retries', 'driver', 'spec',
  'history')
redis.call('XACK', 'sm:queue', 'agents', ARGV[4])
redis.call('XDEL', 'sm:queue', ARGV[4])
if (st[1] ~= 'RUNNING' and st[1] ~= 'PENDING') or st[2] ~= ARGV[1] then return 0 end
if st[1] == 'RUNNING' then redis.call('HINCRBY', 'sm:counts', 'running', -1)
else redis.call('HINCRBY', 'sm:counts', 'pending', -1) end
local attempt = tonumber(st[2])
local history = (st[6] or '') .. 'attempt ' .. attempt .. ': ' .. ARGV[2] .. '\n'
if attempt >= tonumber(st[3]) then
  redis.call('HSET', KEYS[1], 'state', 'FAILED', 'history', history, 'finished', ARGV[3],
    'error', ARGV[2] .. ' (' .. (attempt + 1) .. ' attempts)')
  redis.call('HINCRBY', 'sm:counts', 'failed', 1)
  redis.call('RPUSH', 'sm:driver:' .. st[4], ARGV[5])
  redis.call('EXPIRE', 'sm:driver:' .. st[4], 86400)
  return 2
end
redis.call('HSET', KEYS[1], 'state', 'PENDING', 'attempt', tostring(attempt + 1), 'node', '',
  'history', history)
redis.call('HINCRBY', 'sm:counts', 'pending', 1)
redis.call('XADD', 'sm:queue', '*', 'task', ARGV[5], 'attempt', tostring(attempt + 1),
  'spec', st[5])
return 1)";

// KEYS[1] task; ARGV message id, task id, attempt, spec, driver, now. Requeues the message (1);
// drops it when the task is no longer pending in that attempt (0); cancels the task when its
// driver is gone (2), so a task nobody can place does not circle for ever.
constexpr const char* kBounceScript = R"(
redis.call('XACK', 'sm:queue', 'agents', ARGV[1])
redis.call('XDEL', 'sm:queue', ARGV[1])
local st = redis.call('HMGET', KEYS[1], 'state', 'attempt')
if st[1] ~= 'PENDING' or st[2] ~= ARGV[3] then return 0 end
if ARGV[5] ~= '' and redis.call('EXISTS', 'sm:drv:' .. ARGV[5]) == 0 then
  redis.call('HINCRBY', 'sm:counts', 'pending', -1)
  redis.call('HINCRBY', 'sm:counts', 'failed', 1)
  redis.call('HSET', KEYS[1], 'state', 'FAILED', 'finished', ARGV[6], 'cancelled', '1',
    'error', 'cancelled: its driver is gone and no node could place it')
  return 2
end
redis.call('XADD', 'sm:queue', '*', 'task', ARGV[2], 'attempt', ARGV[3], 'spec', ARGV[4])
return 1)";

// KEYS[1] task; ARGV attempt, node, now. After a Redis restart that lost the last second of
// writes, a task this node runs may read PENDING again: claim it back (1) if no other node took
// it; 0 when it is no longer this node's to run.
constexpr const char* kReassertScript = R"(
local st = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'node')
if st[2] ~= ARGV[1] then return 0 end
if st[1] == 'RUNNING' then if st[3] == ARGV[2] then return 1 else return 0 end end
if st[1] ~= 'PENDING' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'RUNNING', 'node', ARGV[2], 'started', ARGV[3])
redis.call('HINCRBY', 'sm:counts', 'pending', -1)
redis.call('HINCRBY', 'sm:counts', 'running', 1)
return 1)";

// ARGV message id, dead letter (JSON). A queue entry nobody can read: out of the queue (and of
// the consumer that took it) into a bounded list an operator can read.
constexpr const char* kDeadLetterScript = R"(
redis.call('XACK', 'sm:queue', 'agents', ARGV[1])
redis.call('XDEL', 'sm:queue', ARGV[1])
redis.call('RPUSH', 'sm:deadletter', ARGV[2])
redis.call('LTRIM', 'sm:deadletter', -1000, -1)
return 1)";

// KEYS[1] task; ARGV reason, now, task id
constexpr const char* kCancelScript = R"(
local st = redis.call('HMGET', KEYS[1], 'state', 'driver')
if st[1] ~= 'PENDING' and st[1] ~= 'RUNNING' then return 0 end
if st[1] == 'RUNNING' then redis.call('HINCRBY', 'sm:counts', 'running', -1)
else redis.call('HINCRBY', 'sm:counts', 'pending', -1) end
redis.call('HINCRBY', 'sm:counts', 'failed', 1)
redis.call('HSET', KEYS[1], 'state', 'FAILED', 'error', ARGV[1], 'finished', ARGV[2],
  'cancelled', '1')
redis.call('RPUSH', 'sm:driver:' .. st[2], ARGV[3])
redis.call('EXPIRE', 'sm:driver:' .. st[2], 86400)
return 1)";

// A spec larger than this is not one the driver wrote: refused rather than parsed.
constexpr std::size_t kMaxSpecBytes = std::size_t{1} << 20;

std::string TaskKey(const std::string& id) { return "sm:task:" + id; }
std::string Num(double v) { return StrCat(std::fixed, v); }

nlohmann::json ParseJsonField(const char* what, const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) throw Failure(what, " is not valid JSON: ", text.substr(0, 200));
  return parsed;
}

// A stored number ("12.5"); a Failure for anything else but an empty field.
double ParseNumberField(const char* what, const std::string& text) {
  if (text.empty()) return 0.0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) throw Failure(what, " is not a number: ", text);
  return value;
}

}  // namespace

QueuedTask ParseQueuedTask(const RedisReply& entry) {
  if (entry.elements.size() < 2 || entry.elements[0].type != RedisReply::Type::kString) {
    throw Failure("task queue: malformed stream entry");
  }
  QueuedTask task;
  task.message_id = entry.elements[0].str;
  const auto& fields = entry.elements[1].elements;
  bool has_spec = false;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == "spec" && fields[i + 1].str.size() > kMaxSpecBytes) {
      throw Failure("task queue: entry ", task.message_id, " has a spec of ",
                    fields[i + 1].str.size(), " bytes (at most ", kMaxSpecBytes, ")");
    }
    has_spec = has_spec || fields[i].str == "spec";
    if (fields[i].str == "attempt") {
      const long long attempt = fields[i + 1].AsInt();
      if (attempt < 0 || attempt > 1'000'000) {
        throw Failure("task queue: entry ", task.message_id, " has attempt ", attempt);
      }
      task.attempt = static_cast<int>(attempt);
    }
    if (fields[i].str == "spec") {
      task.spec = TaskSpec::FromJson(ParseJsonField("task queue: a spec", fields[i + 1].str));
    }
  }
  if (!has_spec || task.spec.task_id.empty() || task.spec.function.empty()) {
    throw Failure("task queue: entry ", task.message_id, " names no task id and function");
  }
  return task;
}

std::string DescribeEntry(const RedisReply& entry, const std::string& error) {
  nlohmann::json letter = {{"error", error}, {"time", UnixNow()}};
  if (!entry.elements.empty()) letter["message_id"] = entry.elements[0].str;
  nlohmann::json fields = nlohmann::json::object();
  std::size_t bytes = 0;
  if (entry.elements.size() >= 2) {
    const auto& raw = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < raw.size(); i += 2) {
      bytes += raw[i + 1].str.size();
      // Bytes as received may be invalid UTF-8: keep a short, escaped excerpt.
      std::string excerpt = raw[i + 1].str.substr(0, 256);
      for (char& c : excerpt) {
        if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '?';
      }
      std::string key = raw[i].str.substr(0, 64);
      for (char& c : key) {
        if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '?';
      }
      fields[key] = excerpt;
    }
  }
  letter["fields"] = fields;
  letter["bytes"] = bytes;
  // The id and the error may quote the entry's bytes: invalid UTF-8 becomes U+FFFD, never a throw.
  return letter.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<TaskRecord> ParseTaskRecord(const std::string& task_id, const RedisReply& r) {
  if (r.elements.empty() || r.elements[0].nil()) return std::nullopt;
  if (r.elements.size() != 9) throw Failure("task ", task_id, ": malformed record");
  TaskRecord record;
  record.task_id = task_id;
  record.state = ParseTaskState(r.elements[0].str);
  const long long attempt = r.elements[1].AsInt();
  if (attempt < 0 || attempt > 1'000'000) throw Failure("task ", task_id, ": attempt ", attempt);
  record.attempt = static_cast<int>(attempt);
  record.node = r.elements[2].str;
  if (!r.elements[3].nil() && !r.elements[3].str.empty()) {
    record.result = ParseJsonField("a task's result", r.elements[3].str);
  }
  record.error = r.elements[4].str;
  record.history = r.elements[5].str;
  record.submitted = ParseNumberField("a task's submit time", r.elements[6].str);
  record.started = ParseNumberField("a task's start time", r.elements[7].str);
  record.finished = ParseNumberField("a task's finish time", r.elements[8].str);
  return record;
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ControlStore::ControlStore(std::unique_ptr<RedisClient> redis) : redis_(std::move(redis)) {}

ControlStore::ControlStore(const std::string& address, const std::string& token, double timeout_s,
                           double reconnect_timeout_s) {
  std::string host;
  int port = 0;
  ParseAddress(address, &host, &port);
  redis_ = std::make_unique<RedisClient>(host, port, token, timeout_s);
  redis_->SetReconnectTimeout(reconnect_timeout_s);
}

std::optional<QueuedTask> ControlStore::ParseOrDeadLetter(const RedisReply& entry,
                                                          std::vector<std::string>* dead) {
  try {
    return ParseQueuedTask(entry);
  } catch (const std::exception& e) {
    const std::string id = entry.elements.empty() ? std::string() : entry.elements[0].str;
    redis_->Command({"EVAL", kDeadLetterScript, "0", id, DescribeEntry(entry, e.what())});
    if (dead != nullptr) dead->push_back(StrCat("entry ", id, ": ", e.what()));
    return std::nullopt;
  }
}

std::vector<std::string> ControlStore::DeadLetters() {
  std::vector<std::string> letters;
  for (const auto& e : redis_->Command({"LRANGE", "sm:deadletter", "0", "-1"}).elements) {
    letters.push_back(e.str);
  }
  return letters;
}

void ControlStore::InitCluster(const std::string& session, int node_timeout_ms) {
  redis_->Command({"SET", "sm:session", session});
  redis_->Command({"HSET", "sm:config", "node_timeout_ms", std::to_string(node_timeout_ms)});
  auto reply = redis_->Pipeline({{"XGROUP", "CREATE", kQueue, kGroup, "0", "MKSTREAM"}});
  if (reply[0].type == RedisReply::Type::kError &&
      reply[0].str.find("BUSYGROUP") == std::string::npos) {
    throw Failure("redis: cannot create the task queue: ", reply[0].str);
  }
}

std::string ControlStore::Session() { return redis_->Command({"GET", "sm:session"}).str; }

int ControlStore::NodeTimeoutMs() {
  const long long ms = redis_->Command({"HGET", "sm:config", "node_timeout_ms"}).AsInt();
  return ms > 0 ? static_cast<int>(ms) : 10000;
}

void ControlStore::RegisterNode(const NodeInfo& node) {
  redis_->Command({"HSET", "sm:nodes", node.node_id, node.ToJson().dump()});
  redis_->Command({"SREM", "sm:lost", node.node_id});
}

void ControlStore::Heartbeat(const std::string& node_id, int used_cpus, int running, int timeout_ms,
                             std::int64_t used_memory, const StoreUse& store) {
  nlohmann::json load = {
      {"used_cpus", used_cpus}, {"running", running}, {"used_memory_bytes", used_memory}};
  store.AddTo(&load);
  redis_->Command({"SET", "sm:hb:" + node_id, load.dump(), "PX", std::to_string(timeout_ms)});
}

void ControlStore::DeregisterNode(const std::string& node_id) {
  redis_->Pipeline({{"HDEL", "sm:nodes", node_id},
                    {"DEL", "sm:hb:" + node_id},
                    {"SREM", "sm:lost", node_id},
                    {"XGROUP", "DELCONSUMER", kQueue, kGroup, node_id}});
}

std::vector<NodeStatus> ControlStore::Nodes() {
  RedisReply all = redis_->Command({"HGETALL", "sm:nodes"});
  std::vector<NodeStatus> nodes;
  for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
    NodeStatus status;
    status.info = NodeInfo::FromJson(ParseJsonField("a node record", all.elements[i + 1].str));
    nodes.push_back(std::move(status));
  }
  if (nodes.empty()) return nodes;
  std::vector<std::vector<std::string>> commands;
  for (const auto& n : nodes) {
    commands.push_back({"GET", "sm:hb:" + n.info.node_id});
    commands.push_back({"SMEMBERS", "sm:nodeobjs:" + n.info.node_id});
  }
  auto replies = redis_->Pipeline(commands);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const RedisReply& hb = replies[2 * i];
    nodes[i].alive = !hb.nil();
    if (nodes[i].alive) {
      auto load = nlohmann::json::parse(hb.str);
      nodes[i].used_cpus = load.value("used_cpus", 0);
      nodes[i].running = load.value("running", 0);
      nodes[i].used_memory = load.value("used_memory_bytes", std::int64_t{0});
      nodes[i].store = StoreUse::FromJson(load);
    }
    for (const auto& id : replies[2 * i + 1].elements) {
      auto object = Object(id.str);
      if (!object) continue;
      nodes[i].objects += 1;
      nodes[i].object_bytes += object->size;
    }
  }
  return nodes;
}

std::vector<std::string> ControlStore::ClaimLostNodes() {
  std::vector<std::string> claimed;
  for (const auto& node : Nodes()) {
    if (node.alive) continue;
    if (redis_->Command({"SADD", "sm:lost", node.info.node_id}).AsInt() == 1) {
      claimed.push_back(node.info.node_id);
    }
  }
  return claimed;
}

int ControlStore::ReclaimTasksOf(const std::string& node_id, const std::string& reason) {
  int reclaimed = 0;
  for (int round = 0; round < 100; ++round) {  // bounded: 100 pages of 100 messages
    RedisReply pending = redis_->Command({"XPENDING", kQueue, kGroup, "-", "+", "100", node_id});
    if (pending.elements.empty()) break;
    for (const auto& entry : pending.elements) {
      const std::string message_id = entry.elements.at(0).str;
      RedisReply range = redis_->Command({"XRANGE", kQueue, message_id, message_id});
      if (range.elements.empty()) {
        redis_->Command({"XACK", kQueue, kGroup, message_id});
        continue;
      }
      auto task = ParseOrDeadLetter(range.elements[0], nullptr);
      if (task && Retry(*task, reason)) ++reclaimed;
    }
  }
  return reclaimed;
}

void ControlStore::Submit(const TaskSpec& spec, const std::string& driver_id) {
  TaskSpec with_driver = spec;
  with_driver.driver = driver_id;
  const long long created =
      redis_
          ->Command({"EVAL", kSubmitScript, "1", TaskKey(spec.task_id), spec.task_id,
                     with_driver.ToJson().dump(), std::to_string(spec.max_retries), driver_id,
                     Num(UnixNow())})
          .AsInt();
  if (created != 1) throw InputError("task id ", spec.task_id, " was submitted before");
}

std::vector<QueuedTask> ControlStore::OwnPending(const std::string& node_id,
                                                 std::vector<std::string>* dead) {
  std::vector<QueuedTask> tasks;
  RedisReply pending = redis_->Command({"XPENDING", kQueue, kGroup, "-", "+", "1000", node_id});
  for (const auto& entry : pending.elements) {
    const std::string message_id = entry.elements.at(0).str;
    RedisReply range = redis_->Command({"XRANGE", kQueue, message_id, message_id});
    if (range.elements.empty()) {
      redis_->Command({"XACK", kQueue, kGroup, message_id});
      continue;
    }
    if (auto task = ParseOrDeadLetter(range.elements[0], dead)) tasks.push_back(std::move(*task));
  }
  return tasks;
}

std::vector<QueuedTask> ControlStore::Take(const std::string& node_id, int count, int block_ms,
                                           std::vector<std::string>* dead) {
  std::vector<std::string> args = {"XREADGROUP", "GROUP", kGroup,
                                   node_id,      "COUNT", std::to_string(count)};
  if (block_ms > 0) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(block_ms));
  }
  args.insert(args.end(), {"STREAMS", kQueue, ">"});
  RedisReply reply = redis_->Command(args);
  std::vector<QueuedTask> tasks;
  if (reply.nil()) return tasks;
  for (const auto& stream : reply.elements) {
    for (const auto& entry : stream.elements.at(1).elements) {
      if (auto task = ParseOrDeadLetter(entry, dead)) tasks.push_back(std::move(*task));
    }
  }
  return tasks;
}

bool ControlStore::Start(const QueuedTask& task, const std::string& node_id, bool check_driver) {
  return redis_
             ->Command({"EVAL", kStartScript, "1", TaskKey(task.spec.task_id),
                        std::to_string(task.attempt), node_id, Num(UnixNow()), task.message_id,
                        check_driver ? task.spec.driver : std::string(), task.spec.task_id})
             .AsInt() == 1;
}

bool ControlStore::Finish(const QueuedTask& task, bool ok, const nlohmann::json& result,
                          const std::string& error) {
  return redis_
             ->Command({"EVAL", kFinishScript, "1", TaskKey(task.spec.task_id),
                        std::to_string(task.attempt), ok ? "DONE" : "FAILED", result.dump(), error,
                        Num(UnixNow()), task.message_id, task.spec.task_id})
             .AsInt() == 1;
}

bool ControlStore::Retry(const QueuedTask& task, const std::string& reason) {
  return redis_
             ->Command({"EVAL", kRetryScript, "1", TaskKey(task.spec.task_id),
                        std::to_string(task.attempt), reason, Num(UnixNow()), task.message_id,
                        task.spec.task_id})
             .AsInt() != 0;
}

BounceOutcome ControlStore::Bounce(const QueuedTask& task) {
  const long long outcome =
      redis_
          ->Command({"EVAL", kBounceScript, "1", TaskKey(task.spec.task_id), task.message_id,
                     task.spec.task_id, std::to_string(task.attempt), task.spec.ToJson().dump(),
                     task.spec.driver, Num(UnixNow())})
          .AsInt();
  return outcome == 1   ? BounceOutcome::kRequeued
         : outcome == 2 ? BounceOutcome::kCancelled
                        : BounceOutcome::kDropped;
}

bool ControlStore::Reassert(const QueuedTask& task, const std::string& node_id) {
  return redis_
             ->Command({"EVAL", kReassertScript, "1", TaskKey(task.spec.task_id),
                        std::to_string(task.attempt), node_id, Num(UnixNow())})
             .AsInt() == 1;
}

bool ControlStore::Cancel(const std::string& task_id, const std::string& reason) {
  return redis_
             ->Command(
                 {"EVAL", kCancelScript, "1", TaskKey(task_id), reason, Num(UnixNow()), task_id})
             .AsInt() == 1;
}

void ControlStore::DriverKeepAlive(const std::string& driver_id, int ttl_ms) {
  redis_->Command({"SET", "sm:drv:" + driver_id, "1", "PX", std::to_string(ttl_ms)});
}

void ControlStore::DriverGone(const std::string& driver_id) {
  redis_->Command({"DEL", "sm:drv:" + driver_id});
}

bool ControlStore::DriverAlive(const std::string& driver_id) {
  return redis_->Command({"EXISTS", "sm:drv:" + driver_id}).AsInt() == 1;
}

std::optional<TaskRecord> ControlStore::Task(const std::string& task_id) {
  return ParseTaskRecord(
      task_id, redis_->Command({"HMGET", TaskKey(task_id), "state", "attempt", "node", "result",
                                "error", "history", "submitted", "started", "finished"}));
}

std::vector<std::string> ControlStore::PopFinished(const std::string& driver_id, double timeout_s) {
  const std::string key = "sm:driver:" + driver_id;
  std::vector<std::string> ids;
  if (timeout_s > 0) {
    // BLPOP's timeout is in seconds with decimals (Redis >= 6).
    RedisReply first = redis_->Command({"BLPOP", key, StrCat(std::fixed, timeout_s)});
    if (first.nil()) return ids;
    ids.push_back(first.elements.at(1).str);
  }
  RedisReply rest = redis_->Command({"LPOP", key, "1000"});
  for (const auto& e : rest.elements) ids.push_back(e.str);
  return ids;
}

TaskCounts ControlStore::Counts() {
  RedisReply r = redis_->Command({"HMGET", "sm:counts", "pending", "running", "done", "failed"});
  TaskCounts c;
  c.pending = r.elements.at(0).AsInt();
  c.running = r.elements.at(1).AsInt();
  c.done = r.elements.at(2).AsInt();
  c.failed = r.elements.at(3).AsInt();
  return c;
}

void ControlStore::AddObject(const ObjectInfo& object, const std::string& node_id) {
  redis_->Pipeline({{"HSET", "sm:obj:" + object.object_id, "size", std::to_string(object.size),
                     "checksum", std::to_string(object.checksum), "owner", object.owner},
                    {"SADD", "sm:objloc:" + object.object_id, node_id},
                    {"SADD", "sm:nodeobjs:" + node_id, object.object_id}});
}

void ControlStore::AddLocation(const std::string& object_id, const std::string& node_id) {
  redis_->Pipeline(
      {{"SADD", "sm:objloc:" + object_id, node_id}, {"SADD", "sm:nodeobjs:" + node_id, object_id}});
}

void ControlStore::RemoveLocation(const std::string& object_id, const std::string& node_id) {
  redis_->Pipeline(
      {{"SREM", "sm:objloc:" + object_id, node_id}, {"SREM", "sm:nodeobjs:" + node_id, object_id}});
}

std::optional<ObjectInfo> ControlStore::Object(const std::string& object_id) {
  RedisReply r = redis_->Command({"HMGET", "sm:obj:" + object_id, "size", "checksum", "owner"});
  if (r.elements.empty() || r.elements[0].nil()) return std::nullopt;
  ObjectInfo info;
  info.object_id = object_id;
  info.size = r.elements[0].AsInt();
  info.checksum = std::strtoull(r.elements[1].str.c_str(), nullptr, 10);
  info.owner = r.elements[2].str;
  return info;
}

std::vector<std::string> ControlStore::Locations(const std::string& object_id) {
  std::vector<std::string> nodes;
  for (const auto& e : redis_->Command({"SMEMBERS", "sm:objloc:" + object_id}).elements) {
    nodes.push_back(e.str);
  }
  return nodes;
}

std::vector<std::string> ControlStore::ObjectsOn(const std::string& node_id) {
  std::vector<std::string> ids;
  for (const auto& e : redis_->Command({"SMEMBERS", "sm:nodeobjs:" + node_id}).elements) {
    ids.push_back(e.str);
  }
  return ids;
}

void ControlStore::FreeObject(const std::string& object_id) {
  for (const auto& node : Locations(object_id)) RemoveLocation(object_id, node);
  redis_->Command({"DEL", "sm:obj:" + object_id, "sm:objloc:" + object_id});
}

}  // namespace scaleml::tasks
