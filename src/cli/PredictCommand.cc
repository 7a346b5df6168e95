// Placeholder until `scaleml predict` lands.
#include "cli/Commands.h"
#include "core/Error.h"

namespace scaleml::cli {

void RegisterPredict(CLI::App& app) {
  auto* command = app.add_subcommand("predict", "predict (not built yet)");
  command->callback([] { throw Failure("predict: not built yet"); });
}

}  // namespace scaleml::cli
