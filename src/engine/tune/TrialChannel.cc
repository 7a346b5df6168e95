#include "engine/tune/TrialChannel.h"

#include <cmath>
#include <cstdlib>

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
  r.metric =
      j.contains("metric") && j["metric"].is_number() ? j["metric"].get<double>() : std::nan("");
  r.time_s = j.value("time_s", 0.0);
  r.attempt = j.value("attempt", 0);
  r.checkpoint = j.value("checkpoint", 0);
  return r;
}

std::string ReportsKey(const std::string& channel) { return "sm:tune:" + channel + ":reports"; }
std::string StopKey(const std::string& channel) { return "sm:tune:" + channel + ":stop"; }
std::string CheckpointKey(const std::string& channel) {
  return "sm:tune:" + channel + ":checkpoint";
}
std::string ResumeKey(const std::string& channel) { return "sm:tune:" + channel + ":resume"; }

std::string CheckpointRefused(std::int64_t model_bytes) {
  return StrCat("its model (", model_bytes >> 20, " MiB) is larger than the ",
                kMaxCheckpointBytes >> 20,
                " MiB a checkpoint carries through the cluster's Redis: not checkpointed (the "
                "trial goes on; it leaves no model file, and a retry starts from round 0)");
}

namespace {
const std::string kTtl = std::to_string(kKeyTtlSeconds);
}

RedisTrialOutbox::RedisTrialOutbox(std::unique_ptr<tasks::RedisClient> redis, std::string channel,
                                   std::int64_t max_checkpoint_bytes)
    : redis_(std::move(redis)),
      channel_(std::move(channel)),
      max_checkpoint_bytes_(max_checkpoint_bytes) {}

RedisTrialOutbox::~RedisTrialOutbox() = default;

bool RedisTrialOutbox::Report(const RoundReport& report) {
  const std::string key = ReportsKey(channel_);
  auto replies = redis_->Pipeline({{"RPUSH", key, report.ToJson().dump()},
                                   {"LTRIM", key, StrCat(-kMaxQueuedReports), "-1"},
                                   {"EXPIRE", key, kTtl},
                                   {"GET", StopKey(channel_)}});
  return replies.size() == 4 && !replies[3].nil() && replies[3].str == "1";
}

namespace {

void StoreHash(tasks::RedisClient& redis, const std::string& key,
               const StoredCheckpoint& checkpoint) {
  redis.Pipeline(
      {{"HSET", key, "iteration", StrCat(checkpoint.iteration), "model", checkpoint.model},
       {"EXPIRE", key, kTtl}});
}

std::optional<StoredCheckpoint> LoadHash(tasks::RedisClient& redis, const std::string& key) {
  auto reply = redis.Command({"HMGET", key, "iteration", "model"});
  if (reply.elements.size() != 2 || reply.elements[0].nil() || reply.elements[1].nil()) {
    return std::nullopt;
  }
  StoredCheckpoint checkpoint;
  checkpoint.iteration = std::atoi(reply.elements[0].str.c_str());
  checkpoint.model = std::move(reply.elements[1].str);
  return checkpoint;
}

}  // namespace

bool RedisTrialOutbox::StoreCheckpoint(const StoredCheckpoint& checkpoint) {
  if (!CarriesCheckpoint(static_cast<std::int64_t>(checkpoint.model.size()))) return false;
  StoreHash(*redis_, CheckpointKey(channel_), checkpoint);
  return true;
}

std::optional<StoredCheckpoint> RedisTrialOutbox::ResumeModel() {
  return LoadHash(*redis_, ResumeKey(channel_));
}

std::vector<std::vector<RoundReport>> TrialInbox::Take(const std::vector<std::string>& channels) {
  std::vector<std::vector<RoundReport>> out(channels.size());
  if (channels.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  for (const auto& id : channels) reads.push_back({"LRANGE", ReportsKey(id), "0", "-1"});
  auto replies = redis_.Pipeline(reads);
  std::vector<std::vector<std::string>> trims;
  for (std::size_t i = 0; i < channels.size() && i < replies.size(); ++i) {
    for (const auto& element : replies[i].elements) {
      auto j = nlohmann::json::parse(element.str, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        LogWarning("tune: a report of trial ", channels[i], " is not JSON; ignored");
        continue;
      }
      out[i].push_back(RoundReport::FromJson(j));
    }
    // The worker only appends: dropping the first n removes exactly what was read.
    if (!replies[i].elements.empty()) {
      trims.push_back({"LTRIM", ReportsKey(channels[i]), StrCat(replies[i].elements.size()), "-1"});
    }
  }
  if (!trims.empty()) redis_.Pipeline(trims);
  return out;
}

void TrialInbox::Stop(const std::string& channel) {
  redis_.Command({"SET", StopKey(channel), "1", "EX", kTtl});
}

std::optional<StoredCheckpoint> TrialInbox::TakeCheckpoint(const std::string& channel) {
  return LoadHash(redis_, CheckpointKey(channel));
}

void TrialInbox::SetResumeModel(const std::string& channel, const StoredCheckpoint& checkpoint) {
  StoreHash(redis_, ResumeKey(channel), checkpoint);
}

void TrialInbox::Forget(const std::string& channel) {
  redis_.Command(
      {"DEL", ReportsKey(channel), StopKey(channel), CheckpointKey(channel), ResumeKey(channel)});
}

}  // namespace scaleml::tune
