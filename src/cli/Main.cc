// scaleml's entry point: parses the command line, runs one subcommand, and turns errors into one
// line on stderr and an exit code (0 ok, 2 bad input or usage, 1 other failures).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/ClusterToken.h"
#include "cli/CommBenchCommand.h"
#include "cli/Commands.h"
#include "core/Error.h"
#include "core/Version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "scaleml: classic machine learning on big tabular data, scaled in two ways "
      "(a Ray-style tasks engine and a PyTorch-style ddp engine), measured side by side.",
      "scaleml"};
  app.set_version_flag(
      "--version", std::string("scaleml ") + scaleml::kVersion + " (" + scaleml::kGitCommit + ")");
  app.require_subcommand(1);
  app.fallthrough(false);
  scaleml::cli::RegisterGenerate(app);
  scaleml::cli::RegisterInspect(app);
  scaleml::cli::RegisterTrain(app);
  scaleml::cli::RegisterPredict(app);
  scaleml::cli::RegisterLaunch(app);
  scaleml::cli::RegisterStart(app);
  scaleml::cli::RegisterStop(app);
  scaleml::cli::RegisterStatus(app);
  scaleml::cli::RegisterTune(app);
  scaleml::cli::RegisterBench(app);
  scaleml::cli::RegisterCommBench(app);
  scaleml::cli::RegisterReport(app);
  scaleml::cli::RegisterDashboard(app);
  // CLI11 parses a copy (its vector form takes the arguments in reverse), so the token can be
  // blanked in argv, where ps reads it, before any subcommand forks a daemon.
  std::vector<std::string> args(argv + 1, argv + argc);
  std::reverse(args.begin(), args.end());
  scaleml::cli::BlankTokenArguments(argc, argv);
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "scaleml: error: %s (see scaleml --help)\n", e.what());
    return 2;
  } catch (const scaleml::Error& e) {
    std::fprintf(stderr, "scaleml: error: %s\n", e.what());
    return e.ExitCode();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "scaleml: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scaleml: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
