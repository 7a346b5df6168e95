// scaleml report: rebuilds DIR/report.md and DIR/figures from DIR/results.jsonl.
#include <cstdio>
#include <memory>
#include <string>

#include "bench/ReportWriter.h"
#include "cli/Commands.h"
#include "core/PathGuard.h"

namespace scaleml::cli {

void RegisterReport(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* command = app.add_subcommand(
      "report", "Rebuild DIR/report.md (tables and gnuplot figures) from DIR/results.jsonl");
  command->add_option("DIR", *dir, "The folder of a bench run")->required();
  command->callback([dir] {
    RefuseOverwritingInputs({{"report.md", *dir + "/report.md"}},
                            {{"DIR/results.jsonl", *dir + "/results.jsonl"}});
    std::printf("report: %s\n", bench::WriteReport(*dir).c_str());
  });
}

}  // namespace scaleml::cli
