// Each subcommand registers itself on the application; the files only parse and call into the
// layers below. Errors propagate as scaleml::Error to main(), which reports them once.
#pragma once

#include <CLI/CLI.hpp>

namespace scaleml::cli {

void RegisterGenerate(CLI::App& app);
void RegisterInspect(CLI::App& app);
void RegisterTrain(CLI::App& app);
void RegisterPredict(CLI::App& app);
void RegisterLaunch(CLI::App& app);
void RegisterStart(CLI::App& app);
void RegisterStop(CLI::App& app);
void RegisterStatus(CLI::App& app);
void RegisterTune(CLI::App& app);
void RegisterBench(CLI::App& app);
void RegisterReport(CLI::App& app);
void RegisterDashboard(CLI::App& app);

}  // namespace scaleml::cli
