// The JSON API under /api/ (docs/dashboard.md): the answer to one authorized GET, as a status,
// a content type and a body, without any HTTP (the server does that). Paths:
//   /api/overview                              cluster summary, experiments, ddp groups, benchmarks
//   /api/nodes                                 the cluster's nodes (as `scaleml status --json`)
//   /api/experiments                           experiments with trial counts and the best trial
//   /api/experiments/NAME/trials?offset&limit&sort&order&status&curve_points
//   /api/experiments/NAME/trials/ID            one trial: config, result, curve
//   /api/experiments/NAME/trials/ID/log        its log lines
//   /api/ddp                                   ddp groups of this machine
//   /api/benchmarks                            benchmark folders
//   /api/benchmarks/NAME                       records, report.md, figure names
//   /api/benchmarks/NAME/figures/FILE          a figure (SVG or PNG)
// Unknown names and paths are 404; names are checked before any lookup (SafeName.h).
// Thread-safety: Get may be called from several threads.
#pragma once

#include <map>
#include <string>

#include "dashboard/BenchmarkIndex.h"
#include "dashboard/ClusterView.h"
#include "dashboard/DashboardOptions.h"
#include "dashboard/DdpGroups.h"
#include "dashboard/ExperimentIndex.h"

namespace scaleml::dashboard {

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class DashboardApi {
 public:
  explicit DashboardApi(const DashboardOptions& options);

  ApiResponse Get(const std::string& path, const std::map<std::string, std::string>& query);
  // /metrics
  std::string Metrics();

 private:
  ApiResponse Experiment(const std::string& rest, const std::map<std::string, std::string>& query);
  ApiResponse BenchmarkPath(const std::string& rest);

  ClusterView cluster_;
  ExperimentIndex experiments_;
  BenchmarkIndex benchmarks_;
  DdpGroups ddp_;
  std::string logs_dir_;
};

}  // namespace scaleml::dashboard
