// scaleml report: rebuilds DIR/report.md and DIR/figures from DIR/results.jsonl, or one report
// from the results of several bench folders (sizes, data variants) into --out.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/ReportWriter.h"
#include "cli/Commands.h"
#include "core/Error.h"
#include "core/PathGuard.h"

namespace scaleml::cli {
namespace {

struct ReportFlags {
  std::vector<std::string> dirs;
  std::string out;
};

}  // namespace

void RegisterReport(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  auto* command = app.add_subcommand(
      "report",
      "Rebuild DIR/report.md (tables and gnuplot figures) from DIR/results.jsonl; with several "
      "folders, one report of all their runs (accuracy and seconds against size) into --out");
  command->add_option("DIR", flags->dirs, "The folder(s) of bench runs")->required();
  command->add_option("--out", flags->out,
                      "Folder of the report and its figures (default: DIR; required with "
                      "several folders)");
  command->callback([flags] {
    if (flags->dirs.size() > 1 && flags->out.empty()) {
      throw InputError("report: ", flags->dirs.size(),
                       " folders given: say where their joint report goes with --out DIR");
    }
    const std::string out = flags->out.empty() ? flags->dirs.front() : flags->out;
    std::vector<InputPath> inputs;
    for (const auto& dir : flags->dirs)
      inputs.push_back({"DIR/results.jsonl", dir + "/results.jsonl"});
    RefuseOverwritingInputs({{"report.md", out + "/report.md"}}, inputs);
    std::printf("report: %s\n", bench::WriteReport(flags->dirs, out).c_str());
  });
}

}  // namespace scaleml::cli
