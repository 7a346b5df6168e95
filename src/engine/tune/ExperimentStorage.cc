#include "engine/tune/ExperimentStorage.h"

#include <fcntl.h>
#include <unistd.h>

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
  if (trial.status != TrialStatus::kTerminated) return std::nullopt;
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
  csv += ",time_s,attempts,iterations,stopped_early";
  for (const auto& key : keys) csv += ",config/" + key;
  csv += "\n";
  for (const auto& t : trials) {
    auto j = t.ToJson();
    csv += StrCat(t.trial_id, ",", TrialStatusName(t.status), ",", t.node);
    for (const std::string& metric : ScalarMetricNames()) {
      csv += ',';
      if (j[metric].is_number()) csv += ParamText(j[metric]);
    }
    csv += StrCat(",", ParamText(j["time_s"]), ",", t.attempts, ",", t.iteration, ",",
                  t.stopped_early ? "true" : "false");
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

void ExperimentStorage::AppendResults(const std::string& trial_id,
                                      const std::vector<std::string>& lines) const {
  if (dir_.empty() || lines.empty()) return;
  const std::string trial_dir = dir_ + "/" + trial_id;
  fs::create_directories(trial_dir);
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  const std::string path = trial_dir + "/result.jsonl";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Failure("tune: cannot append to ", path);
  // One write per batch of whole lines: with O_APPEND a reader never sees half of one unless the
  // process dies inside the write (LoadResults skips such a cut last line).
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      close(fd);
      throw Failure("tune: cannot append to ", path);
    }
    done += static_cast<std::size_t>(n);
  }
  close(fd);
}

std::vector<nlohmann::json> ExperimentStorage::LoadResults(const std::string& trial_id) const {
  std::vector<nlohmann::json> out;
  const std::string path = dir_ + "/" + trial_id + "/result.jsonl";
  if (dir_.empty() || !fs::exists(path)) return out;
  const std::string text = ReadWholeFile(path);
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a cut last line
    auto j = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
    start = end + 1;
  }
  return out;
}

void ExperimentStorage::TruncateResults(const std::string& trial_id, int iteration) const {
  if (dir_.empty()) return;
  const std::string path = dir_ + "/" + trial_id + "/result.jsonl";
  if (!fs::exists(path)) return;
  std::string text;
  for (const auto& line : LoadResults(trial_id)) {
    if (line.value("iteration", 0) < iteration) text += line.dump() + "\n";
  }
  WriteFileAtomically(path, text);
}

void ExperimentStorage::SaveCheckpoint(const std::string& trial_id, int iteration,
                                       const std::string& model) const {
  if (dir_.empty()) return;
  const std::string trial_dir = dir_ + "/" + trial_id;
  fs::create_directories(trial_dir);
  // The model first: a checkpoint.json never names a round its model does not hold.
  WriteFileAtomically(trial_dir + "/checkpoint.model", model);
  WriteFileAtomically(trial_dir + "/checkpoint.json",
                      nlohmann::json({{"iteration", iteration}}).dump() + "\n");
}

std::optional<std::pair<int, std::string>> ExperimentStorage::LoadCheckpoint(
    const std::string& trial_id) const {
  const std::string trial_dir = dir_ + "/" + trial_id;
  if (dir_.empty() || !fs::exists(trial_dir + "/checkpoint.model") ||
      !fs::exists(trial_dir + "/checkpoint.json")) {
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(ReadWholeFile(trial_dir + "/checkpoint.json"), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return std::make_pair(j.value("iteration", 0), ReadWholeFile(trial_dir + "/checkpoint.model"));
}

bool ExperimentStorage::SaveBestModel(const std::string& trial_id) const {
  const std::string model = dir_ + "/" + trial_id + "/checkpoint.model";
  if (dir_.empty() || !fs::exists(model)) return false;
  WriteFileAtomically(dir_ + "/best.model", ReadWholeFile(model));
  return true;
}

}  // namespace scaleml::tune
