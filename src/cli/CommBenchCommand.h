// `scaleml commbench` (CommBenchCommand.cc), registered by main() next to Commands.h's.
#pragma once

#include <CLI/CLI.hpp>

namespace scaleml::cli {

void RegisterCommBench(CLI::App& app);

}  // namespace scaleml::cli
