// scaleml status: the cluster's nodes, CPUs, tasks and objects (like `ray status`).
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/ClusterToken.h"
#include "cli/Commands.h"
#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/ClusterStatus.h"

namespace scaleml::cli {
namespace {

struct StatusFlags {
  std::string address = "auto";
  ClusterTokenFlags token;
  bool json = false;
};

}  // namespace

void RegisterStatus(CLI::App& app) {
  auto flags = std::make_shared<StatusFlags>();
  auto* command = app.add_subcommand("status", "Show the tasks-engine cluster's state");
  command->add_option("--address", flags->address, "auto (this machine's cluster) or HOST:PORT")
      ->capture_default_str();
  AddClusterTokenFlags(command, &flags->token);
  command->add_flag("--json", flags->json, "Print one JSON object");
  command->callback([flags] {
    tasks::ClusterFile cluster =
        tasks::ResolveCluster(tasks::ScalemlHome(), flags->address, flags->token.Resolve());
    tasks::ControlStore control(cluster.address, cluster.token);
    auto status = tasks::ClusterStatus::Collect(control, cluster.address);
    if (flags->json) {
      std::cout << status.dump() << std::endl;
    } else {
      std::cout << tasks::ClusterStatus::Format(status);
    }
  });
}

}  // namespace scaleml::cli
