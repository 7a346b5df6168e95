// Placeholder until `scaleml generate` lands.
#include "cli/Commands.h"
#include "core/Error.h"

namespace scaleml::cli {

void RegisterGenerate(CLI::App& app) {
  auto* command = app.add_subcommand("generate", "generate (not built yet)");
  command->callback([] { throw Failure("generate: not built yet"); });
}

}  // namespace scaleml::cli
