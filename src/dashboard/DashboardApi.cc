#include "dashboard/DashboardApi.h"

#include <charconv>

#include "dashboard/PrometheusExporter.h"
#include "dashboard/SafeName.h"

namespace scaleml::dashboard {
namespace {

ApiResponse Json(const nlohmann::json& j, int status = 200) {
  // Replace invalid UTF-8 from files rather than failing the whole answer.
  return {status, "application/json",
          j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

ApiResponse NotFound(const std::string& what) {
  return Json({{"error", what + ": not found"}}, 404);
}

std::size_t SizeParam(const std::map<std::string, std::string>& query, const char* key,
                      std::size_t fallback) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  std::size_t value = 0;
  const auto [end, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return ec == std::errc() && end == it->second.data() + it->second.size() ? value : fallback;
}

std::string StringParam(const std::map<std::string, std::string>& query, const char* key) {
  auto it = query.find(key);
  return it == query.end() ? std::string() : it->second;
}

// Splits "a/b/c" at the first '/': ("a", "b/c").
std::pair<std::string, std::string> Head(const std::string& path) {
  const auto slash = path.find('/');
  if (slash == std::string::npos) return {path, ""};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

DashboardApi::DashboardApi(const DashboardOptions& options)
    : cluster_(options.cluster_address, options.token),
      experiments_(options.experiments),
      benchmarks_(options.results),
      ddp_(options.ddp_dir),
      logs_dir_(options.logs_dir) {}

ApiResponse DashboardApi::Get(const std::string& path,
                              const std::map<std::string, std::string>& query) {
  constexpr std::string_view kPrefix = "/api/";
  if (!path.starts_with(kPrefix)) return NotFound("path");
  const std::string rest = path.substr(kPrefix.size());
  if (rest == "nodes") return Json(cluster_.Status());
  if (rest == "experiments") return Json(experiments_.List());
  if (rest == "ddp") return Json(ddp_.List());
  if (rest == "benchmarks") return Json(benchmarks_.List());
  if (rest == "overview") {
    nlohmann::json status = cluster_.Status();
    return Json({{"cluster", status},
                 {"experiments", experiments_.List()["experiments"]},
                 {"ddp", ddp_.List()["groups"]},
                 {"benchmarks", benchmarks_.List()["benchmarks"]}});
  }
  if (rest.starts_with("experiments/")) {
    return Experiment(rest.substr(std::string_view("experiments/").size()), query);
  }
  if (rest.starts_with("benchmarks/")) {
    return BenchmarkPath(rest.substr(std::string_view("benchmarks/").size()));
  }
  return NotFound("path");
}

ApiResponse DashboardApi::Experiment(const std::string& rest,
                                     const std::map<std::string, std::string>& query) {
  const auto [name, after_name] = Head(rest);
  if (!IsSafeName(name)) return NotFound("experiment");
  const auto [section, after_section] = Head(after_name);
  if (section != "trials") return NotFound("path");
  if (after_section.empty()) {
    TrialQuery q;
    q.offset = SizeParam(query, "offset", 0);
    q.limit = SizeParam(query, "limit", 100);
    q.curve_points = SizeParam(query, "curve_points", 0);
    q.sort = StringParam(query, "sort");
    if (q.sort.empty()) q.sort = "trial_id";
    q.descending = StringParam(query, "order") == "desc";
    q.status = StringParam(query, "status");
    auto page = experiments_.Trials(name, q);
    return page ? Json(*page) : NotFound("experiment");
  }
  const auto [trial_id, tail] = Head(after_section);
  if (!IsSafeName(trial_id)) return NotFound("trial");
  if (tail.empty()) {
    auto trial = experiments_.Trial(name, trial_id);
    return trial ? Json(*trial) : NotFound("trial");
  }
  if (tail == "log") {
    auto log = experiments_.TrialLog(name, trial_id, logs_dir_);
    return log ? Json(*log) : NotFound("trial");
  }
  return NotFound("path");
}

ApiResponse DashboardApi::BenchmarkPath(const std::string& rest) {
  const auto [name, after_name] = Head(rest);
  if (!IsSafeName(name)) return NotFound("benchmark");
  if (after_name.empty()) {
    auto benchmark = benchmarks_.Benchmark(name);
    return benchmark ? Json(*benchmark) : NotFound("benchmark");
  }
  const auto [section, figure] = Head(after_name);
  if (section != "figures" || !IsSafeName(figure)) return NotFound("figure");
  auto file = benchmarks_.FigureFile(name, figure);
  if (!file) return NotFound("figure");
  return {200, file->content_type, std::move(file->body)};
}

std::string DashboardApi::Metrics() {
  return PrometheusExporter::Render(cluster_.Status(), cluster_.TaskLatencies(),
                                    experiments_.CountsByStatus());
}

}  // namespace scaleml::dashboard
