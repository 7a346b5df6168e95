// `scaleml status`: nodes alive or lost, CPUs used/total, tasks by state, objects per node.
// Thread-safety: reentrant.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/tasks/ControlStore.h"

namespace scaleml::tasks {

class ClusterStatus {
 public:
  static nlohmann::json Collect(ControlStore& control, const std::string& address);
  static std::string Format(const nlohmann::json& status);
};

}  // namespace scaleml::tasks
