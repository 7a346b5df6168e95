// How a running trial and its driver talk, through the cluster's control store (Redis), so it
// works wherever the trial runs. T is the trial's channel, "RUN/TRIAL_ID": RUN a random id of
// the driver's run, so two experiments never share keys and a retried attempt (worker or node
// died) keeps its trial's keys:
//
//   sm:tune:T:reports     list; the worker RPUSHes one JSON report per round it reports,
//                         {"iteration":N,"metric":X,"time_s":S,"attempt":A} (plus
//                         "checkpoint":N when a checkpoint of round N was just stored), and
//                         trims the list to its newest kMaxQueuedReports; the driver reads and
//                         removes what it read (LRANGE 0 -1, LTRIM n -1).
//   sm:tune:T:stop        "1" once the driver stopped the trial: the worker's monitor answers
//                         kStop at its next report.
//   sm:tune:T:checkpoint  hash {iteration, model}: the newest checkpoint (model file bytes),
//                         overwritten by the next; the driver writes it into the trial's folder
//                         when it is newer than the one there.
//   sm:tune:T:resume      hash {iteration, model}: the checkpoint to continue from, set by the
//                         driver before it submits a resumed trial and refreshed with each
//                         checkpoint it receives, so a retried attempt continues too.
//
// Every key expires kKeyTtlSeconds after its last write, so a driver that died leaves nothing
// behind for long. The driver is the only writer of the experiment folder: checkpoints travel
// through Redis (a gbdt model of 200 rounds is a few hundred KB), so the storage folder need not
// be visible from the worker's node.
// Thread-safety: one thread per channel (each holds its own connection).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::tasks {
class RedisClient;
}

namespace scaleml::tune {

inline constexpr int kMaxQueuedReports = 10000;
inline constexpr int kKeyTtlSeconds = 86400;
// The largest model a checkpoint carries through the cluster's Redis: Redis refuses a value over
// 512 MB (proto-max-bulk-len) by closing the connection, and every checkpoint is also held in its
// memory and appended to its append-only file. A k-NN model is its training rows (77 bytes a row
// of 10 features: 1,231 MiB at the paper's 5 GB, over the limit from 3 GB). A larger model is not
// checkpointed (the trial goes on, its result says why) and its trial leaves no model file.
inline constexpr std::int64_t kMaxCheckpointBytes = std::int64_t{256} << 20;

struct RoundReport {
  int iteration = 0;
  double metric = 0;
  double time_s = 0;  // since the trial's fit started (this attempt)
  int attempt = 0;
  int checkpoint = 0;  // > 0: a checkpoint of this round was stored with the report
  nlohmann::json ToJson() const;
  static RoundReport FromJson(const nlohmann::json& j);
};

struct StoredCheckpoint {
  int iteration = 0;
  std::string model;  // the model file's bytes
};

std::string ReportsKey(const std::string& channel);
std::string StopKey(const std::string& channel);
std::string CheckpointKey(const std::string& channel);
std::string ResumeKey(const std::string& channel);
// Why a checkpoint of this size was not stored (the trial's log and result).
std::string CheckpointRefused(std::int64_t model_bytes);

// The worker's end.
class TrialOutbox {
 public:
  virtual ~TrialOutbox() = default;
  // Sends a report; returns true when the driver has stopped the trial.
  virtual bool Report(const RoundReport& report) = 0;
  // Stores the newest checkpoint (before the report that announces it); false, storing nothing,
  // when its model is larger than the channel carries.
  virtual bool StoreCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  // Whether a checkpoint of a model of this many bytes is carried (asked before reading a large
  // model file only to have it refused).
  virtual bool CarriesCheckpoint(std::int64_t model_bytes) const = 0;
  // The checkpoint the driver asked this trial to continue from.
  virtual std::optional<StoredCheckpoint> ResumeModel() = 0;
};

class RedisTrialOutbox : public TrialOutbox {
 public:
  RedisTrialOutbox(std::unique_ptr<tasks::RedisClient> redis, std::string channel,
                   std::int64_t max_checkpoint_bytes = kMaxCheckpointBytes);
  ~RedisTrialOutbox() override;
  bool Report(const RoundReport& report) override;
  bool StoreCheckpoint(const StoredCheckpoint& checkpoint) override;
  bool CarriesCheckpoint(std::int64_t model_bytes) const override {
    return model_bytes <= max_checkpoint_bytes_;
  }
  std::optional<StoredCheckpoint> ResumeModel() override;

 private:
  std::unique_ptr<tasks::RedisClient> redis_;
  std::string channel_;
  std::int64_t max_checkpoint_bytes_;
};

// The driver's end, for all its trials.
class TrialInbox {
 public:
  explicit TrialInbox(tasks::RedisClient& redis) : redis_(redis) {}
  // The reports not read yet, per channel (in the order of `channels`), one round trip.
  std::vector<std::vector<RoundReport>> Take(const std::vector<std::string>& channels);
  void Stop(const std::string& channel);
  // The newest checkpoint the trial stored (it stays until Forget).
  std::optional<StoredCheckpoint> TakeCheckpoint(const std::string& channel);
  void SetResumeModel(const std::string& channel, const StoredCheckpoint& checkpoint);
  // Removes every key of the channel (after the trial's end).
  void Forget(const std::string& channel);

 private:
  tasks::RedisClient& redis_;
};

}  // namespace scaleml::tune
