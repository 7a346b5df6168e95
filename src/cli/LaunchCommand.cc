// `scaleml launch`: torchrun's flags (with its `_` spellings too), then `--` and the command each
// local rank runs.
#include <filesystem>
#include <memory>

#include "cli/Commands.h"
#include "cli/OptionChecks.h"
#include "core/Error.h"
#include "core/TokenFile.h"
#include "engine/ddp/Launcher.h"

namespace scaleml::cli {

void RegisterLaunch(CLI::App& app) {
  auto options = std::make_shared<LaunchOptions>();
  auto* command = app.add_subcommand(
      "launch",
      "Start this node's ranks of a ddp group, as torchrun does: each runs COMMAND with RANK, "
      "LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR and MASTER_PORT set; "
      "if one fails the others are stopped");
  command->add_option("--nnodes", options->nnodes, "Number of nodes")->capture_default_str();
  command->add_option("--node-rank,--node_rank", options->node_rank, "This node's index")
      ->capture_default_str();
  command
      ->add_option("--nproc-per-node,--nproc_per_node", options->nproc_per_node,
                   "Ranks started on this node")
      ->check(CountIn(1, kMaxThreads))
      ->capture_default_str();
  command
      ->add_option("--master-addr,--master_addr", options->master_addr,
                   "Address of node 0, where rank 0 hosts the rendezvous")
      ->capture_default_str();
  command
      ->add_option("--master-port,--master_port", options->master_port,
                   "TCP port of the rendezvous on the master")
      ->capture_default_str();
  command->add_option("--timeout", options->comm_timeout_s,
                      "Seconds before a collective or the rendezvous gives up (sets "
                      "SCALEML_COMM_TIMEOUT_S; default 300)");
  command->add_option("--token-file", options->token_file,
                      "The group's token (a file of mode 0600): every rank proves it holds it "
                      "before the rendezvous store answers (default: SCALEML_TOKEN from the "
                      "environment; with neither, the store answers anyone, as torchrun's does)");
  command
      ->add_option("--stop-grace", options->stop_grace_s,
                   "Seconds between SIGTERM and SIGKILL when stopping the ranks")
      ->capture_default_str();
  command
      ->add_option(
          "command", options->command,
          "The program each rank runs and its arguments, after -- (needed when they start with -)")
      ->required();
  command->callback([options] {
    if (!options->token_file.empty()) {
      ReadTokenFile(options->token_file);  // refused now, not by every rank later
      options->token_file = std::filesystem::absolute(options->token_file).string();
    }
    LaunchOutcome outcome = RunLocalRanks(*options);
    if (outcome.exit_code != 0) throw Failure("launch: ", outcome.message);
  });
}

}  // namespace scaleml::cli
