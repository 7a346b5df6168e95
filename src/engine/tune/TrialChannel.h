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

// The worker's end.
class TrialOutbox {
 public:
  virtual ~TrialOutbox() = default;
  // Sends a report; returns true when the driver has stopped the trial.
  virtual bool Report(const RoundReport& report) = 0;
  // Stores the newest checkpoint (before the report that announces it).
  virtual void StoreCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  // The checkpoint the driver asked this trial to continue from.
  virtual std::optional<StoredCheckpoint> ResumeModel() = 0;
};

class RedisTrialOutbox : public TrialOutbox {
 public:
  RedisTrialOutbox(std::unique_ptr<tasks::RedisClient> redis, std::string channel);
  ~RedisTrialOutbox() override;
  bool Report(const RoundReport& report) override;
  void StoreCheckpoint(const StoredCheckpoint& checkpoint) override;
  std::optional<StoredCheckpoint> ResumeModel() override;

 private:
  std::unique_ptr<tasks::RedisClient> redis_;
  std::string channel_;
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
