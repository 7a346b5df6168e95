// The head's dashboard (`scaleml start --head`): a daemon of its own beside the head's agent, so
// that a fault in it never takes the node down; its pid goes in the cluster file and `scaleml
// stop` (or `start --block` stopping) stops it with the cluster.
// Thread-safety: call from a single-threaded process (it forks).
#pragma once

#include <string>
#include <vector>

#include "engine/tasks/ClusterLauncher.h"

namespace scaleml::cli {

struct HeadDashboardFlags {
  int port = 8265;  // 0: no dashboard
  std::string host = "127.0.0.1";
  std::vector<std::string> experiments;  // besides $SCALEML_HOME/experiments
  std::vector<std::string> results;
};

// Starts it and records it in the cluster file (and in *started); a dashboard that cannot start
// (its port taken) is a warning, not a failure of the head. Returns the URL, or "" when none.
std::string StartHeadDashboard(const HeadDashboardFlags& flags, tasks::StartResult* started);

}  // namespace scaleml::cli
