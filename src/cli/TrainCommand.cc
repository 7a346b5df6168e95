// Placeholder until `scaleml train` lands.
#include "cli/Commands.h"
#include "core/Error.h"

namespace scaleml::cli {

void RegisterTrain(CLI::App& app) {
  auto* command = app.add_subcommand("train", "train (not built yet)");
  command->callback([] { throw Failure("train: not built yet"); });
}

}  // namespace scaleml::cli
