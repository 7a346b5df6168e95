// Placeholder until `scaleml inspect` lands.
#include "cli/Commands.h"
#include "core/Error.h"

namespace scaleml::cli {

void RegisterInspect(CLI::App& app) {
  auto* command = app.add_subcommand("inspect", "inspect (not built yet)");
  command->callback([] { throw Failure("inspect: not built yet"); });
}

}  // namespace scaleml::cli
