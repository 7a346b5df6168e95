// /metrics in Prometheus' text exposition format (version 0.0.4): nodes by state, CPUs, object
// store bytes per node, tasks by state, trials by state, and the task run-time histogram.
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "dashboard/ClusterView.h"

namespace scaleml::dashboard {

class PrometheusExporter {
 public:
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
  // `status`: ClusterView::Status(); `trials`: ExperimentIndex::CountsByStatus().
  static std::string Render(const nlohmann::json& status, const LatencyHistogram& latencies,
                            const std::map<std::string, std::int64_t>& trials);
  // A label value escaped as the format asks (backslash, double quote, newline).
  static std::string EscapeLabel(const std::string& value);
};

}  // namespace scaleml::dashboard
