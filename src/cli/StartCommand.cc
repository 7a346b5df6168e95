// scaleml start: Ray's `ray start`. --head starts Redis and the head's node agent; --address
// joins a worker node agent to a cluster. Returns once the node is up, leaving daemons running.
#include <cstdio>
#include <memory>

#include "cli/ClusterToken.h"
#include "cli/Commands.h"
#include "cli/HeadDashboard.h"
#include "cli/OptionChecks.h"
#include "core/Error.h"
#include "engine/tasks/ClusterLauncher.h"

namespace scaleml::cli {

void RegisterStart(CLI::App& app) {
  auto options = std::make_shared<tasks::StartOptions>();
  auto token = std::make_shared<ClusterTokenFlags>();
  auto block = std::make_shared<bool>(false);
  auto dashboard = std::make_shared<HeadDashboardFlags>();
  auto* command = app.add_subcommand(
      "start", "Start a node of a tasks-engine cluster (the head, or a worker joining one)");
  command->add_flag("--head", options->head, "Start the head: Redis and the head's node agent");
  command->add_option("--address", options->address, "Join the cluster whose Redis is HOST:PORT");
  AddClusterTokenFlags(command, token.get());
  command->add_flag("--block", *block,
                    "Stay in the foreground, print the agent's log, and stop the node cleanly on "
                    "SIGTERM or SIGINT (for Slurm, systemd or Kubernetes)");
  command->add_option("--port", options->port, "Head: Redis port (0 = any free port)")
      ->capture_default_str();
  command->add_option("--num-cpus", options->cpus, "CPUs this node offers (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command
      ->add_option("--object-store-memory", options->object_store_memory,
                   "Bytes of shared memory for objects (0 = 30% of RAM)")
      ->capture_default_str();
  command->add_option("--node-name", options->node_name,
                      "Name of this node (several nodes may run on one machine)");
  command->add_option("--node-ip-address", options->node_ip,
                      "Address other nodes reach this one at");
  command
      ->add_option("--node-timeout-ms", options->node_timeout_ms,
                   "Head: a node without heartbeat this long is lost and its tasks rerun")
      ->capture_default_str();
  command
      ->add_option("--reconnect-timeout", options->reconnect_timeout_s,
                   "Seconds the node agent waits for a lost or restarting head (its Redis) to "
                   "come back before it stops")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  command
      ->add_option("--dashboard-port", dashboard->port,
                   "Head: the dashboard's port (0 = no dashboard)")
      ->capture_default_str();
  command
      ->add_option("--dashboard-host", dashboard->host,
                   "Head: the address the dashboard listens on (it needs the cluster token)")
      ->capture_default_str();
  command->add_option("--dashboard-experiments", dashboard->experiments,
                      "Head: tune storage folders the dashboard shows (besides "
                      "$SCALEML_HOME/experiments)");
  command->add_option("--dashboard-results", dashboard->results,
                      "Head: benchmark folders (scaleml bench --out) the dashboard shows");
  command->callback([options, token, block, dashboard] {
    options->token = token->Resolve();
    if (*block) tasks::ClusterLauncher::CatchStopSignals();
    tasks::StartResult result = tasks::ClusterLauncher::Start(*options);
    const std::string dashboard_url =
        options->head ? StartHeadDashboard(*dashboard, &result) : std::string();
    std::printf("node %s (%s) is up; logs in %s/logs\n", result.node.name.c_str(),
                result.node.node_id.c_str(), result.cluster.session_dir.c_str());
    if (options->head) {
      std::printf("cluster address %s\nto add a worker node, run on it:\n  %s\n",
                  result.cluster.address.c_str(), result.join_command.c_str());
      if (result.cluster.address.rfind("127.", 0) == 0) {
        std::printf(
            "(bound to loopback: only nodes on this machine can join; give "
            "--node-ip-address to accept other hosts)\n");
      }
      if (!dashboard_url.empty()) {
        std::printf(
            "dashboard at %s (open %s?token=TOKEN with the cluster token, or send "
            "Authorization: Bearer TOKEN)\n",
            dashboard_url.c_str(), dashboard_url.c_str());
      }
      std::printf("to stop: scaleml stop; to see it: scaleml status\n");
    }
    std::fflush(stdout);
    if (*block) {
      const int code = tasks::ClusterLauncher::Supervise(result, options->head);
      if (code != 0) throw Failure("start: the node stopped by itself");
    }
  });
}

}  // namespace scaleml::cli
