// `scaleml inspect FILE.csv`: loads a file and shows what it holds (rows, features, classes with
// their names, and per column its type, missing and distinct counts, statistics or most frequent
// categories, from the Dataset's Schema) and how long the load took: the quickest check of a file,
// and the command that surfaces every CSV error with its file, line and column.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/Commands.h"
#include "cli/OptionChecks.h"
#include "core/Memory.h"
#include "core/Threads.h"
#include "data/CsvReader.h"
#include "data/DatasetSummary.h"

namespace scaleml::cli {
namespace {

struct InspectArgs {
  std::string file;
  bool json = false;
  std::string target = "target";
  bool allow_missing = false;
  int threads = 0;
  bool no_cache = false;
};

std::string LoadDescription(const CsvLoadInfo& load) {
  if (load.from_cache) return "from the binary cache";
  std::string text =
      "parsed with " + std::to_string(load.threads) + (load.threads == 1 ? " thread" : " threads");
  if (load.cache_written) text += ", binary cache written";
  return text;
}

void PrintJson(const InspectArgs& args, const Dataset& data, const DatasetSummary& summary,
               const CsvLoadInfo& load) {
  nlohmann::ordered_json out;
  out["file"] = args.file;
  out["bytes"] = load.csv_bytes;
  out["rows"] = summary.rows;
  out["features"] = data.features();
  out["target"] = summary.target;
  out["classes"] = ClassesJson(summary);
  out["columns"] = ColumnsJson(summary);
  out["load_s"] = load.seconds;
  out["parse_s"] = load.parse_seconds;
  out["from_cache"] = load.from_cache;
  out["cache_written"] = load.cache_written;
  out["threads"] = load.threads;
  out["dataset_bytes"] = data.ByteSize();
  out["peak_rss_bytes"] = PeakRssBytes();
  std::printf("%s\n", out.dump(2).c_str());
}

void PrintText(const InspectArgs& args, const Dataset& data, const DatasetSummary& summary,
               const CsvLoadInfo& load) {
  std::printf("file      %s (%.1f MB)\n", args.file.c_str(), load.csv_bytes / 1e6);
  std::printf("rows      %lld\n", static_cast<long long>(summary.rows));
  std::printf("features  %zu\n", data.features());
  std::printf("target    %s\n", summary.target.c_str());
  std::printf("load      %.3f s (%s)\n", load.seconds, LoadDescription(load).c_str());
  std::printf("classes   %zu\n", summary.classes.size());
  std::printf("%s%s", ClassesTable(summary).c_str(), ColumnsTable(summary).c_str());
}

}  // namespace

void RegisterInspect(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  auto* command =
      app.add_subcommand("inspect",
                         "Load a CSV file and show its rows, features, classes and per-feature "
                         "statistics, and how long the load took");
  command->add_option("file", args->file, "CSV file with a header line")->required();
  command->add_flag("--json", args->json, "Print one JSON object instead of a table");
  command->add_option("--target", args->target, "Name of the label column")->capture_default_str();
  command->add_flag("--allow-missing", args->allow_missing,
                    "Read empty, NaN and infinite feature values as missing (NaN)");
  command->add_option("--threads", args->threads, "Parser threads (0: all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_flag("--no-cache", args->no_cache,
                    "Neither read nor write the binary cache FILE.scaleml beside the file");
  command->callback([args] {
    if (args->threads > 0) SetThreads(args->threads);
    CsvOptions options;
    options.target = args->target;
    options.allow_missing = args->allow_missing;
    options.threads = args->threads;
    options.use_cache = !args->no_cache;
    CsvLoadInfo load;
    Dataset data = ReadCsv(args->file, options, &load);
    const DatasetSummary summary = Summarize(data);
    if (args->json) {
      PrintJson(*args, data, summary, load);
    } else {
      PrintText(*args, data, summary, load);
    }
  });
}

}  // namespace scaleml::cli
