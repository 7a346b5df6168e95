#include "engine/tune/ExperimentStorage.h"

#include <algorithm>
#include <filesystem>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "engine/Metrics.h"
#include "engine/tune/SearchSpace.h"

namespace scaleml::tune {
namespace fs = std::filesystem;

ExperimentStorage::ExperimentStorage(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) throw InputError("--storage ", dir_, ": cannot create it");
}

std::optional<nlohmann::json> ExperimentStorage::LoadState() const {
  const std::string path = dir_ + "/experiment_state.json";
  if (dir_.empty() || !fs::exists(path)) return std::nullopt;
  auto state = nlohmann::json::parse(ReadWholeFile(path), nullptr, false);
  if (state.is_discarded()) throw InputError(path, ": not valid JSON");
  return state;
}

void ExperimentStorage::SaveState(const nlohmann::json& state) const {
  if (!dir_.empty()) WriteFileAtomically(dir_ + "/experiment_state.json", state.dump(2) + "\n");
}

std::optional<Trial> ExperimentStorage::LoadFinishedTrial(const std::string& trial_id) const {
  const std::string path = dir_ + "/" + trial_id + "/result.json";
  if (dir_.empty() || !fs::exists(path)) return std::nullopt;
  auto j = nlohmann::json::parse(ReadWholeFile(path), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  Trial trial = Trial::FromJson(j);
  if (trial.status != "TERMINATED") return std::nullopt;
  return trial;
}

void ExperimentStorage::SaveTrial(const Trial& trial) const {
  if (dir_.empty()) return;
  const std::string trial_dir = dir_ + "/" + trial.trial_id;
  fs::create_directories(trial_dir);
  WriteFileAtomically(trial_dir + "/params.json", trial.config.dump(2) + "\n");
  WriteFileAtomically(trial_dir + "/result.json", trial.ToJson().dump(2) + "\n");
  std::error_code ec;
  fs::remove(trial_dir + "/running.json", ec);
}

void ExperimentStorage::SaveRunning(const Trial& trial) const {
  if (dir_.empty()) return;
  const std::string trial_dir = dir_ + "/" + trial.trial_id;
  fs::create_directories(trial_dir);
  WriteFileAtomically(trial_dir + "/running.json", trial.ToJson().dump(2) + "\n");
}

void ExperimentStorage::SaveSummary(const nlohmann::json& summary,
                                    const std::vector<Trial>& trials) const {
  if (dir_.empty()) return;
  WriteFileAtomically(dir_ + "/summary.json", summary.dump(2) + "\n");
  // CSV: fixed columns, then one column per config key (sorted, as JSON objects are).
  std::vector<std::string> keys;
  for (const auto& t : trials) {
    for (const auto& [key, value] : t.config.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  std::sort(keys.begin(), keys.end());
  std::string csv = "trial_id,status,node";
  for (const std::string& metric : ScalarMetricNames()) {
    csv += ',';
    csv += metric;
  }
  csv += ",time_s,attempts";
  for (const auto& key : keys) csv += ",config/" + key;
  csv += "\n";
  for (const auto& t : trials) {
    auto j = t.ToJson();
    csv += StrCat(t.trial_id, ",", t.status, ",", t.node);
    for (const std::string& metric : ScalarMetricNames()) {
      csv += ',';
      if (j[metric].is_number()) csv += ParamText(j[metric]);
    }
    csv += StrCat(",", ParamText(j["time_s"]), ",", t.attempts);
    for (const auto& key : keys) {
      std::string value = t.config.contains(key) ? ParamText(t.config[key]) : "";
      if (value.find_first_of(",\"\n") != std::string::npos) {
        std::string quoted = "\"";
        for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        value = quoted + "\"";
      }
      csv += "," + value;
    }
    csv += "\n";
  }
  WriteFileAtomically(dir_ + "/summary.csv", csv);
}

}  // namespace scaleml::tune
