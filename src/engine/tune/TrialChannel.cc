#include "engine/tune/TrialChannel.h"

#include "core/Error.h"
#include "core/Log.h"
#include "engine/tasks/RedisClient.h"

namespace scaleml::tune {

nlohmann::json RoundReport::ToJson() const {
  nlohmann::json j = {
      {"iteration", iteration}, {"metric", metric}, {"time_s", time_s}, {"attempt", attempt}};
  if (checkpoint > 0) j["checkpoint"] = checkpoint;
  return j;
}

RoundReport RoundReport::FromJson(const nlohmann::json& j) {
  RoundReport r;
  r.iteration = j.value("iteration", 0);
  // NaN travels as null (JSON has no NaN).
  r.metric = j.contains("metric") && j["metric"].is_number() ? j["metric"].get<double>()
                                                              : std::nan("");
  r.time_s = j.value("time_s", 0.0);
  r.attempt = j.value("attempt", 0);
  r.checkpoint = j.value("checkpoint", 0);
  return r;
}

std::string ReportsKey(const std::string& task_id) { return "sm:tune:" + task_id + ":reports"; }
std::string StopKey(const std::string& task_id) { return "sm:tune:" + task_id + ":stop"; }
std::string CheckpointKey(const std::string& task_id) {
  return "sm:tune:" + task_id + ":checkpoint";
}
std::string ResumeKey(const std::string& task_id) { return "sm:tune:" + task_id + ":resume"; }

namespace {
const std::string kTtl = std::to_string(kKeyTtlSeconds);
}

RedisTrialOutbox::RedisTrialOutbox(std::unique_ptr<tasks::RedisClient> redis, std::string task_id)
    : redis_(std::move(redis)), task_id_(std::move(task_id)) {}

RedisTrialOutbox::~RedisTrialOutbox() = default;

bool RedisTrialOutbox::Report(const RoundReport& report) {
  const std::string key = ReportsKey(task_id_);
  auto replies = redis_->Pipeline({{"RPUSH", key, report.ToJson().dump()},
                                   {"LTRIM", key, StrCat(-kMaxQueuedReports), "-1"},
                                   {"EXPIRE", key, kTtl},
                                   {"GET", StopKey(task_id_)}});
  return replies.size() == 4 && !replies[3].nil() && replies[3].str == "1";
}

void RedisTrialOutbox::StoreCheckpoint(const StoredCheckpoint& checkpoint) {
  const std::string key = CheckpointKey(task_id_);
  redis_->Pipeline({{"HSET", key, "iteration", StrCat(checkpoint.iteration), "model",
                     checkpoint.model},
                    {"EXPIRE", key, kTtl}});
}

std::string RedisTrialOutbox::ResumeModel() {
  auto reply = redis_->Command({"GET", ResumeKey(task_id_)});
  return reply.nil() ? std::string() : reply.str;
}

std::vector<std::vector<RoundReport>> TrialInbox::Take(const std::vector<std::string>& task_ids) {
  std::vector<std::vector<RoundReport>> out(task_ids.size());
  if (task_ids.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  for (const auto& id : task_ids) reads.push_back({"LRANGE", ReportsKey(id), "0", "-1"});
  auto replies = redis_.Pipeline(reads);
  std::vector<std::vector<std::string>> trims;
  for (std::size_t i = 0; i < task_ids.size() && i < replies.size(); ++i) {
    for (const auto& element : replies[i].elements) {
      auto j = nlohmann::json::parse(element.str, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        LogWarning("tune: a report of task ", task_ids[i], " is not JSON; ignored");
        continue;
      }
      out[i].push_back(RoundReport::FromJson(j));
    }
    // The worker only appends: dropping the first n removes exactly what was read.
    if (!replies[i].elements.empty()) {
      trims.push_back(
          {"LTRIM", ReportsKey(task_ids[i]), StrCat(replies[i].elements.size()), "-1"});
    }
  }
  if (!trims.empty()) redis_.Pipeline(trims);
  return out;
}

void TrialInbox::Stop(const std::string& task_id) {
  redis_.Command({"SET", StopKey(task_id), "1", "EX", kTtl});
}

std::optional<StoredCheckpoint> TrialInbox::TakeCheckpoint(const std::string& task_id) {
  auto reply = redis_.Command({"HMGET", CheckpointKey(task_id), "iteration", "model"});
  if (reply.elements.size() != 2 || reply.elements[0].nil() || reply.elements[1].nil()) {
    return std::nullopt;
  }
  StoredCheckpoint checkpoint;
  checkpoint.iteration = std::atoi(reply.elements[0].str.c_str());
  checkpoint.model = std::move(reply.elements[1].str);
  return checkpoint;
}

void TrialInbox::SetResumeModel(const std::string& task_id, const std::string& model) {
  redis_.Command({"SET", ResumeKey(task_id), model, "EX", kTtl});
}

void TrialInbox::Forget(const std::string& task_id) {
  redis_.Command({"DEL", ReportsKey(task_id), StopKey(task_id), CheckpointKey(task_id),
                  ResumeKey(task_id)});
}

}  // namespace scaleml::tune
