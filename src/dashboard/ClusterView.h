// The cluster as the dashboard shows it: `scaleml status`'s view (ClusterStatus::Collect over the
// control store) cached for a second, so any number of polling browsers cost Redis one query a
// second at most; and the task latency histogram for /metrics, built from the task records
// (run time = finished - started) of tasks that finished since the last scrape.
// Thread-safety: all methods may be called from several threads (one ControlStore, locked).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "engine/tasks/ControlStore.h"

namespace scaleml::dashboard {

struct LatencyHistogram {
  static constexpr std::array<double, 12> kBounds = {0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                     2.5,  5,    10,  30,   60,  300};
  std::array<std::int64_t, kBounds.size() + 1> counts{};  // the last one: +Inf
  double sum = 0;
  std::int64_t total = 0;
  void Add(double seconds);
};

class ClusterView {
 public:
  // An empty address: no cluster (a dashboard over benchmark folders only).
  ClusterView(std::string address, std::string token);

  bool has_cluster() const { return !address_.empty(); }
  // ClusterStatus::Collect's object with spilled_bytes per node, or {"error": ...} when the
  // cluster cannot be reached; {"nodes": []} without a cluster.
  nlohmann::json Status();
  // The histogram, brought up to date with the tasks finished since the last call.
  LatencyHistogram TaskLatencies();

 private:
  tasks::ControlStore& Control();  // connects on first use and after an error

  std::string address_, token_;
  std::mutex mutex_;
  std::unique_ptr<tasks::ControlStore> control_;
  nlohmann::json cached_;
  std::chrono::steady_clock::time_point cached_at_{};
  LatencyHistogram latencies_;
  std::unordered_set<std::string> counted_tasks_;
};

}  // namespace scaleml::dashboard
