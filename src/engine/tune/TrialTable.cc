#include "engine/tune/TrialTable.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/Error.h"
#include "engine/tune/SearchSpace.h"

namespace scaleml::tune {
namespace {

std::string ConfigText(const nlohmann::json& config, std::size_t width) {
  std::string text;
  for (const auto& [key, value] : config.items()) {
    if (!text.empty()) text += ", ";
    if (value.is_number_float()) {  // short in the table; the files keep every digit
      char number[32];
      std::snprintf(number, sizeof(number), "%.4g", value.get<double>());
      text += key + "=" + number;
    } else {
      text += key + "=" + ParamText(value);
    }
  }
  if (text.empty()) text = "(defaults)";
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

}  // namespace

TrialTable::TrialTable(std::string metric, bool quiet)
    : metric_(std::move(metric)), quiet_(quiet), live_(!quiet && isatty(1) == 1) {}

std::string TrialTable::Render(const std::vector<Trial>& trials, const std::string& metric,
                               double elapsed_s) {
  std::map<TrialStatus, int> counts;
  int early = 0;
  for (const auto& t : trials) {
    counts[t.status]++;
    early += t.stopped_early ? 1 : 0;
  }
  std::string out = StrCat("== trials: ", trials.size(), " (");
  bool first = true;
  for (const auto& [status, n] : counts) {
    out += StrCat(first ? "" : ", ", n, " ", TrialStatusName(status));
    first = false;
  }
  if (early > 0) out += StrCat(", ", early, " stopped early");
  char line[512];
  std::snprintf(line, sizeof(line), ") elapsed %.1f s ==\n", elapsed_s);
  out += line;
  std::snprintf(line, sizeof(line), "%-22s %-16s %-12s %-36s %6s %10s %8s\n", "Trial name",
                "status", "node", "config", "iter", metric.c_str(), "time(s)");
  out += line;
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()) /
                     1000.0;
  for (const auto& t : trials) {
    std::string value;
    if (t.status == TrialStatus::kTerminated) {
      value = StrCat(t.metric);
    } else if (t.last_result) {
      value = StrCat(*t.last_result);
    }
    if (value.size() > 10) value = value.substr(0, 10);
    char time[32] = "";
    const double end = t.finished > t.started              ? t.finished
                       : t.status == TrialStatus::kRunning ? now
                                                           : 0;
    if (t.started > 0 && end > t.started)
      std::snprintf(time, sizeof(time), "%.2f", end - t.started);
    const std::string status = StrCat(TrialStatusName(t.status), t.stopped_early ? " (early)" : "");
    const std::string iteration = t.iteration > 0 ? StrCat(t.iteration) : "";
    std::snprintf(line, sizeof(line), "%-22s %-16s %-12s %-36s %6s %10s %8s\n", t.trial_id.c_str(),
                  status.c_str(), t.node.c_str(), ConfigText(t.config, 36).c_str(),
                  iteration.c_str(), value.c_str(), time);
    out += line;
  }
  return out;
}

void TrialTable::Update(const std::vector<Trial>& trials, double elapsed_s) {
  if (quiet_) return;
  if (live_) {
    if (last_draw_ >= 0 && elapsed_s - last_draw_ < 0.5) return;
    last_draw_ = elapsed_s;
    const std::string table = Render(trials, metric_, elapsed_s);
    if (drawn_lines_ > 0) std::printf("\033[%dA\033[J", drawn_lines_);
    std::fputs(table.c_str(), stdout);
    drawn_lines_ = static_cast<int>(std::count(table.begin(), table.end(), '\n'));
    std::fflush(stdout);
    return;
  }
  for (const auto& t : trials) {
    auto seen = reported_.find(t.trial_id);
    if ((seen != reported_.end() && seen->second == t.status) ||
        t.status == TrialStatus::kPending) {
      continue;
    }
    reported_[t.trial_id] = t.status;
    std::string line = StrCat("trial ", t.trial_id, " ", TrialStatusName(t.status));
    if (!t.node.empty()) line += " on " + t.node;
    if (t.status == TrialStatus::kTerminated) {
      line += StrCat(" ", metric_, "=", t.metric);
      if (t.iteration > 0) line += StrCat(" after ", t.iteration, " rounds");
      if (t.stopped_early) line += " (stopped early)";
    }
    if (t.status == TrialStatus::kError) line += ": " + t.error;
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

void TrialTable::Finish(const std::vector<Trial>& trials, double elapsed_s) {
  if (quiet_) return;
  if (live_) {
    last_draw_ = -1;
    Update(trials, elapsed_s);
    return;
  }
  Update(trials, elapsed_s);
  std::fputs(Render(trials, metric_, elapsed_s).c_str(), stdout);
}

}  // namespace scaleml::tune
