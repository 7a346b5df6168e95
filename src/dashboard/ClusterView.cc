#include "dashboard/ClusterView.h"

#include <cstdlib>

#include "core/Error.h"
#include "engine/tasks/ClusterStatus.h"

namespace scaleml::dashboard {

void LatencyHistogram::Add(double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  ++counts[bucket];
  sum += seconds;
  ++total;
}

ClusterView::ClusterView(std::string address, std::string token)
    : address_(std::move(address)), token_(std::move(token)) {}

tasks::ControlStore& ClusterView::Control() {
  if (!control_) control_ = std::make_unique<tasks::ControlStore>(address_, token_, 2.0);
  return *control_;
}

nlohmann::json ClusterView::Status() {
  if (!has_cluster()) return {{"address", nullptr}, {"nodes", nlohmann::json::array()}};
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!cached_.is_null() && now - cached_at_ < std::chrono::seconds(1)) return cached_;
  try {
    nlohmann::json status = tasks::ClusterStatus::Collect(Control(), address_);
    for (auto& node : status["nodes"]) {
      node["spilled_bytes"] = node.value("object_store_spilled_bytes", std::int64_t{0});
    }
    cached_ = std::move(status);
  } catch (const Error& e) {
    control_.reset();  // reconnect next time
    // Redis' messages name the address, never the token.
    cached_ = {{"address", address_},
               {"nodes", nlohmann::json::array()},
               {"error", StrCat("cannot reach the cluster: ", e.what())}};
  }
  cached_at_ = now;
  return cached_;
}

LatencyHistogram ClusterView::TaskLatencies() {
  if (!has_cluster()) return {};
  std::lock_guard lock(mutex_);
  try {
    tasks::RedisClient& redis = Control().redis();
    std::string cursor = "0";
    for (int round = 0; round < 10000; ++round) {
      tasks::RedisReply page =
          redis.Command({"SCAN", cursor, "MATCH", "sm:task:*", "COUNT", "1000"});
      if (page.elements.size() != 2) break;
      cursor = page.elements[0].str;
      std::vector<std::vector<std::string>> lookups;
      std::vector<std::string> keys;
      for (const auto& key : page.elements[1].elements) {
        if (counted_tasks_.count(key.str) != 0) continue;
        keys.push_back(key.str);
        lookups.push_back({"HMGET", key.str, "state", "started", "finished"});
      }
      if (!lookups.empty()) {
        const auto replies = redis.Pipeline(lookups);
        for (std::size_t i = 0; i < replies.size() && i < keys.size(); ++i) {
          const auto& fields = replies[i].elements;
          if (fields.size() != 3) continue;
          const std::string& state = fields[0].str;
          if (state != "DONE" && state != "FAILED") continue;
          counted_tasks_.insert(keys[i]);
          const double started = std::atof(fields[1].str.c_str());
          const double finished = std::atof(fields[2].str.c_str());
          if (started > 0 && finished >= started) latencies_.Add(finished - started);
        }
      }
      if (cursor == "0") break;
    }
  } catch (const Error&) {
    control_.reset();
  }
  return latencies_;
}

}  // namespace scaleml::dashboard
