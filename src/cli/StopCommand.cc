// scaleml stop: stops this machine's node agents (and Redis on the head), like `ray stop`.
#include <cstdio>

#include "cli/Commands.h"
#include "engine/tasks/ClusterLauncher.h"

namespace scaleml::cli {

void RegisterStop(CLI::App& app) {
  auto* command = app.add_subcommand(
      "stop", "Stop this machine's tasks-engine node agents and, on the head, its Redis");
  command->callback(
      [] { std::fputs(tasks::ClusterLauncher::StopLocal(tasks::ScalemlHome()).c_str(), stdout); });
}

}  // namespace scaleml::cli
