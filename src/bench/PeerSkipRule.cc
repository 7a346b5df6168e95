#include "bench/PeerSkipRule.h"

#include <cstdio>

#include "bench/RunStatus.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

bool SamePeer(const RunSpec& spec, const json& r) {
  return r.value("algo", "") == spec.algo && r.value("engine", "") == spec.engine &&
         r.value("ranks", 1) == spec.ranks &&
         ProblemOfRecord(r.value("problem", "")) == spec.problem;
}

// The timeout or out-of-memory run behind a record: itself, or the cause a skipped one carries.
std::optional<json> CauseOf(const json& r) {
  const RunStatus status = StatusOf(r);
  if (status == RunStatus::kTimedOut || status == RunStatus::kOutOfMemory) {
    return json{{"run_id", r.value("run_id", "")},
                {"status", StatusName(status)},
                {"size", r.value("size", "")},
                {"rows", r.value("rows", std::int64_t{0})},
                {"timeout_s", LimitOf(r)}};
  }
  if (status == RunStatus::kSkipped && r.contains("skip_cause") && r["skip_cause"].is_object()) {
    return r["skip_cause"];
  }
  return std::nullopt;
}

std::string Seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", s);
  return buffer;
}

}  // namespace

bool IsPeerEngine(const std::string& engine) { return engine == "python" || engine == "torch-ddp"; }

std::optional<PeerSkip> PeerSkipFor(const RunSpec& spec, const std::vector<json>& earlier) {
  if (!IsPeerEngine(spec.engine)) return std::nullopt;
  std::optional<PeerSkip> best;
  std::int64_t best_rows = 0;
  for (const auto& r : earlier) {
    if (!SamePeer(spec, r)) continue;
    const std::optional<json> cause = CauseOf(r);
    if (!cause) continue;
    const auto rows = cause->value("rows", std::int64_t{0});
    if (rows <= 0 || rows >= spec.rows || (best && rows >= best_rows)) continue;
    const std::string size = cause->value("size", "");
    if (cause->value("status", "") == StatusName(RunStatus::kOutOfMemory)) {
      best = PeerSkip{"ran out of memory at " + size, *cause};
      best_rows = rows;
      continue;
    }
    const double limit = cause->value("timeout_s", 0.0);
    const double enough = limit * static_cast<double>(spec.rows) / static_cast<double>(rows);
    if (limit > 0 && spec.timeout_s > enough) continue;  // a limit that grew faster than the rows
    best = PeerSkip{"exceeded the " + Seconds(limit) + " s limit at " + size, *cause};
    best_rows = rows;
  }
  return best;
}

}  // namespace scaleml::bench
