#include "dashboard/ExperimentIndex.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "dashboard/SafeName.h"
#include "dashboard/TextFiles.h"

namespace scaleml::dashboard {
namespace fs = std::filesystem;
namespace {

constexpr std::int64_t kMaxJsonBytes = 4 << 20;
constexpr std::int64_t kMaxCurveChunk = 8 << 20;  // of result.jsonl per read
constexpr std::size_t kMaxExperiments = 1000;
constexpr std::size_t kMaxCurvePoints = 100000;  // kept per trial

std::optional<nlohmann::json> ReadJsonFile(const std::string& path) {
  auto text = ReadSmallFile(path, kMaxJsonBytes);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

double NumberOr(const nlohmann::json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string StringOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json NullableNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

ExperimentIndex::ExperimentIndex(std::vector<std::string> roots) : roots_(std::move(roots)) {}

std::map<std::string, std::string> ExperimentIndex::ScanFolders() const {
  std::map<std::string, std::string> found;
  for (const std::string& root : roots_) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(root) / "experiment_state.json", ec)) {
      const std::string name = fs::path(root).lexically_normal().filename().string();
      if (IsSafeName(name)) found.emplace(name, root);
      continue;
    }
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (found.size() >= kMaxExperiments) break;
      const std::string name = it->path().filename().string();
      std::error_code file_ec;
      if (!IsSafeName(name) || !it->is_directory(file_ec)) continue;
      if (fs::is_regular_file(it->path() / "experiment_state.json", file_ec)) {
        found.emplace(name, it->path().string());
      }
    }
  }
  return found;
}

ExperimentIndex::ExperimentView* ExperimentIndex::Refresh(const std::string& name) {
  if (!IsSafeName(name)) return nullptr;
  auto cached = experiments_.find(name);
  std::string dir;
  if (cached != experiments_.end()) {
    dir = cached->second.dir;
  } else {
    const auto folders = ScanFolders();
    auto it = folders.find(name);
    if (it == folders.end()) return nullptr;
    dir = it->second;
  }
  const FileStamp stamp = FileStamp::Of(dir + "/experiment_state.json");
  if (!stamp.exists) {
    experiments_.erase(name);
    return nullptr;
  }
  ExperimentView& experiment = experiments_[name];
  if (experiment.state_stamp != stamp) {
    auto state = ReadJsonFile(dir + "/experiment_state.json");
    if (!state) return experiment.state_stamp.exists ? &experiment : nullptr;
    ExperimentView fresh;
    fresh.name = name;
    fresh.dir = dir;
    fresh.state_stamp = stamp;
    fresh.algo = StringOr(*state, "algo");
    fresh.metric = StringOr(*state, "metric");
    const std::string mode = StringOr(*state, "mode");
    fresh.mode = mode.empty() ? (fresh.metric == "logloss" ? "min" : "max") : mode;
    // Trials already read keep their parsed files.
    std::map<std::string, TrialView> old;
    for (auto& t : experiment.trials) old.emplace(t.trial_id, std::move(t));
    const auto trials = state->find("trials");
    if (trials != state->end() && trials->is_array()) {
      for (const auto& t : *trials) {
        if (!t.is_object()) continue;
        const std::string id = StringOr(t, "trial_id");
        if (!IsSafeName(id)) continue;
        auto previous = old.find(id);
        TrialView view = previous != old.end() ? std::move(previous->second) : TrialView{};
        view.trial_id = id;
        view.config = t.value("config", nlohmann::json::object());
        fresh.trials.push_back(std::move(view));
      }
    }
    experiment = std::move(fresh);
  }
  experiment.best = -1;
  const bool maximize = experiment.mode != "min";
  const auto now = std::chrono::steady_clock::now();
  const bool check_finished = now - experiment.finished_checked >= std::chrono::seconds(2);
  if (check_finished) experiment.finished_checked = now;
  for (std::size_t i = 0; i < experiment.trials.size(); ++i) {
    TrialView& trial = experiment.trials[i];
    const bool finished = trial.status == "TERMINATED" || trial.status == "ERROR";
    if (check_finished || !finished) RefreshTrial(dir, trial);
    if (trial.status != "TERMINATED" || !trial.metric) continue;
    if (experiment.best < 0) {
      experiment.best = static_cast<int>(i);
      continue;
    }
    const double best = *experiment.trials[experiment.best].metric;
    if (maximize ? *trial.metric > best : *trial.metric < best) {
      experiment.best = static_cast<int>(i);
    }
  }
  return &experiment;
}

void ExperimentIndex::RefreshTrial(const std::string& dir, TrialView& trial) {
  const std::string trial_dir = dir + "/" + trial.trial_id;
  // result.json marks a finished trial; running.json one that started (tune writes it).
  std::string result_path = trial_dir + "/result.json";
  FileStamp result_stamp = FileStamp::Of(result_path);
  if (!result_stamp.exists) {
    result_path = trial_dir + "/running.json";
    result_stamp = FileStamp::Of(result_path);
  }
  if (result_stamp != trial.result_stamp) {
    trial.result_stamp = result_stamp;
    trial.result = nullptr;
    trial.metric.reset();
    trial.status = "PENDING";
    trial.node.clear();
    trial.error.clear();
    if (auto j = ReadJsonFile(result_path)) {
      const std::string status = StringOr(*j, "status");
      if (!status.empty()) trial.status = status;
      trial.node = StringOr(*j, "node");
      trial.task_id = StringOr(*j, "task_id");
      trial.error = StringOr(*j, "error");
      trial.time_s = NumberOr(*j, "time_s", 0);
      trial.started = NumberOr(*j, "started", 0);
      if (trial.status == "TERMINATED" && j->contains("metric") && (*j)["metric"].is_number()) {
        trial.metric = (*j)["metric"].get<double>();
      }
      trial.result = std::move(*j);
    }
  }
  const FileStamp curve_stamp = FileStamp::Of(trial_dir + "/result.jsonl");
  if (curve_stamp != trial.curve_stamp) {
    if (!curve_stamp.exists || curve_stamp.size < trial.curve_offset) {
      trial.curve.clear();  // gone or rewritten: read again from the start
      trial.curve_offset = 0;
    }
    trial.curve_stamp = curve_stamp;
    if (curve_stamp.exists) {
      auto chunk = ReadFileRange(trial_dir + "/result.jsonl", trial.curve_offset, kMaxCurveChunk);
      if (chunk) {
        // Only whole lines: a line being written is read at the next refresh.
        const auto last_newline = chunk->rfind('\n');
        const std::size_t usable = last_newline == std::string::npos ? 0 : last_newline + 1;
        std::size_t begin = 0;
        while (begin < usable) {
          const std::size_t end = chunk->find('\n', begin);
          auto line = nlohmann::json::parse(chunk->begin() + static_cast<std::ptrdiff_t>(begin),
                                            chunk->begin() + static_cast<std::ptrdiff_t>(end),
                                            nullptr, false);
          begin = end + 1;
          if (line.is_discarded() || !line.is_object() || !line["metric"].is_number()) continue;
          if (trial.curve.size() >= kMaxCurvePoints) continue;
          trial.curve.push_back(
              {NumberOr(line, "iteration", static_cast<double>(trial.curve.size())),
               line["metric"].get<double>(), NumberOr(line, "time_s", 0)});
          const std::string metric_name = StringOr(line, "metric_name");
          if (!metric_name.empty()) trial.curve_metric = metric_name;
        }
        trial.curve_offset += static_cast<std::int64_t>(usable);
        // A chunk that ended inside a line longer than the chunk: skip that line.
        if (usable == 0 && static_cast<std::int64_t>(chunk->size()) == kMaxCurveChunk) {
          trial.curve_offset += kMaxCurveChunk;
        }
      }
    }
  }
  // Reports but no result file yet: the trial is running (an older tune writes result.json only
  // at the end).
  if (trial.status == "PENDING" && !trial.curve.empty()) trial.status = "RUNNING";
}

nlohmann::json ExperimentIndex::TrialRow(const ExperimentView& experiment, std::size_t index,
                                         std::size_t curve_points) const {
  const TrialView& t = experiment.trials[index];
  std::optional<double> metric = t.metric;
  if (!metric && !t.curve.empty() && t.status != "ERROR") metric = t.curve.back().metric;
  nlohmann::json row = {
      {"trial_id", t.trial_id},
      {"status", t.status},
      {"config", t.config},
      {"node", t.node},
      {"iteration",
       t.curve.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.curve.back().iteration)},
      {"metric", NullableNumber(metric)},
      {"time_s", t.time_s > 0 ? t.time_s : (t.curve.empty() ? 0.0 : t.curve.back().time_s)},
      {"best", static_cast<int>(index) == experiment.best},
  };
  if (!t.error.empty()) row["error"] = t.error;
  if (curve_points > 0) {
    nlohmann::json curve = nlohmann::json::array();
    const std::size_t n = t.curve.size();
    const std::size_t step = n > curve_points ? (n + curve_points - 1) / curve_points : 1;
    for (std::size_t i = 0; i < n; i += step) {
      curve.push_back({t.curve[i].iteration, t.curve[i].metric});
    }
    if (n > 0 && (n - 1) % step != 0)
      curve.push_back({t.curve[n - 1].iteration, t.curve[n - 1].metric});
    row["curve"] = std::move(curve);
    row["curve_metric"] = t.curve_metric.empty() ? experiment.metric : t.curve_metric;
  }
  return row;
}

nlohmann::json ExperimentIndex::Summary(const ExperimentView& experiment) const {
  nlohmann::json counts = {{"PENDING", 0}, {"RUNNING", 0}, {"TERMINATED", 0}, {"ERROR", 0}};
  for (const auto& t : experiment.trials) {
    counts[t.status] = counts.value(t.status, 0) + 1;
  }
  nlohmann::json best = nullptr;
  if (experiment.best >= 0) {
    const TrialView& t = experiment.trials[experiment.best];
    best = {{"trial_id", t.trial_id}, {"metric", *t.metric}, {"config", t.config}};
  }
  return {{"name", experiment.name},
          {"algo", experiment.algo},
          {"metric", experiment.metric},
          {"mode", experiment.mode},
          {"trials", experiment.trials.size()},
          {"counts", counts},
          {"best", best}};
}

nlohmann::json ExperimentIndex::List() {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, dir] : ScanFolders()) {
    if (ExperimentView* experiment = Refresh(name)) list.push_back(Summary(*experiment));
  }
  return {{"experiments", list}};
}

std::optional<nlohmann::json> ExperimentIndex::Trials(const std::string& name,
                                                      const TrialQuery& query) {
  std::lock_guard lock(mutex_);
  ExperimentView* experiment = Refresh(name);
  if (experiment == nullptr) return std::nullopt;
  const auto& trials = experiment->trials;
  std::vector<std::size_t> order;
  order.reserve(trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (query.status.empty() || trials[i].status == query.status) order.push_back(i);
  }
  auto live_metric = [&](std::size_t i) -> std::optional<double> {
    if (trials[i].metric) return trials[i].metric;
    if (!trials[i].curve.empty()) return trials[i].curve.back().metric;
    return std::nullopt;
  };
  const bool desc = query.descending;
  auto by_id = [&](std::size_t a, std::size_t b) {
    return trials[a].trial_id < trials[b].trial_id;
  };
  std::stable_sort(order.begin(), order.end(), by_id);
  if (query.sort == "status") {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return desc ? trials[b].status < trials[a].status : trials[a].status < trials[b].status;
    });
  } else if (query.sort == "metric" || query.sort == "iteration" || query.sort == "time_s") {
    auto key = [&](std::size_t i) -> std::optional<double> {
      if (query.sort == "metric") return live_metric(i);
      if (query.sort == "iteration") {
        if (trials[i].curve.empty()) return std::nullopt;
        return trials[i].curve.back().iteration;
      }
      return trials[i].time_s;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto ka = key(a), kb = key(b);
      if (!ka || !kb) return ka.has_value() && !kb.has_value();  // missing values last
      return desc ? *ka > *kb : *ka < *kb;
    });
  } else if (desc) {
    std::reverse(order.begin(), order.end());
  }
  const std::size_t limit = std::min<std::size_t>(query.limit, 1000);
  const std::size_t points = std::min<std::size_t>(query.curve_points, 500);
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t k = query.offset; k < order.size() && k < query.offset + limit; ++k) {
    rows.push_back(TrialRow(*experiment, order[k], points));
  }
  nlohmann::json page = Summary(*experiment);
  page["total"] = order.size();
  page["offset"] = query.offset;
  page["limit"] = limit;
  page["sort"] = query.sort;
  page["order"] = desc ? "desc" : "asc";
  page["rows"] = std::move(rows);
  return page;
}

std::optional<nlohmann::json> ExperimentIndex::Trial(const std::string& name,
                                                     const std::string& trial_id) {
  std::lock_guard lock(mutex_);
  ExperimentView* experiment = Refresh(name);
  if (experiment == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < experiment->trials.size(); ++i) {
    if (experiment->trials[i].trial_id != trial_id) continue;
    nlohmann::json j = TrialRow(*experiment, i, 2000);
    j["experiment"] = name;
    j["result"] = experiment->trials[i].result;
    return j;
  }
  return std::nullopt;
}

std::optional<nlohmann::json> ExperimentIndex::TrialLog(const std::string& name,
                                                        const std::string& trial_id,
                                                        const std::string& logs_dir) {
  std::string trial_dir, task_id;
  {
    std::lock_guard lock(mutex_);
    ExperimentView* experiment = Refresh(name);
    if (experiment == nullptr) return std::nullopt;
    auto it = std::find_if(experiment->trials.begin(), experiment->trials.end(),
                           [&](const TrialView& t) { return t.trial_id == trial_id; });
    if (it == experiment->trials.end()) return std::nullopt;
    trial_dir = experiment->dir + "/" + trial_id;
    task_id = it->task_id;
  }
  constexpr std::size_t kMaxLines = 1000;
  nlohmann::json sources = nlohmann::json::array();
  std::vector<std::string> lines;
  auto add_lines = [&](const std::string& text, const std::string& filter) {
    std::size_t begin = 0;
    while (begin < text.size()) {
      std::size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(begin, end - begin);
      begin = end + 1;
      if (filter.empty() || line.find(filter) != std::string::npos)
        lines.push_back(std::move(line));
    }
  };
  std::error_code ec;
  std::set<std::string> files;
  for (fs::directory_iterator it(trial_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (IsSafeName(file) && it->path().extension() == ".log") files.insert(file);
  }
  for (const auto& file : files) {
    if (auto text = ReadFileTail(trial_dir + "/" + file, 256 << 10)) {
      sources.push_back(file);
      add_lines(*text, "");
    }
  }
  // The agents' logs name the task of every trial they ran (started, retried, failed).
  if (!logs_dir.empty() && task_id.size() >= 8) {
    std::set<std::string> agent_logs;
    for (fs::directory_iterator it(logs_dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string file = it->path().filename().string();
      if (IsSafeName(file) && it->path().extension() == ".log") agent_logs.insert(file);
    }
    for (const auto& file : agent_logs) {
      if (auto text = ReadFileTail(logs_dir + "/" + file, 8 << 20)) {
        const std::size_t before = lines.size();
        add_lines(*text, task_id);
        if (lines.size() > before) sources.push_back(file);
      }
    }
  }
  if (lines.size() > kMaxLines) lines.erase(lines.begin(), lines.end() - kMaxLines);
  return nlohmann::json{{"experiment", name},
                        {"trial_id", trial_id},
                        {"task_id", task_id},
                        {"sources", sources},
                        {"lines", lines}};
}

std::map<std::string, std::int64_t> ExperimentIndex::CountsByStatus() {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::int64_t> counts = {
      {"PENDING", 0}, {"RUNNING", 0}, {"TERMINATED", 0}, {"ERROR", 0}};
  for (const auto& [name, dir] : ScanFolders()) {
    if (ExperimentView* experiment = Refresh(name)) {
      for (const auto& t : experiment->trials) ++counts[t.status];
    }
  }
  return counts;
}

}  // namespace scaleml::dashboard
