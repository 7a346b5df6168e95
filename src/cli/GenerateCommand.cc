// scaleml generate: writes a synthetic classification CSV (scikit-learn's make_classification,
// streamed in chunks) with FILE.csv.meta and FILE.csv.json beside it.
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/Commands.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "core/Threads.h"
#include "data/ClassificationGenerator.h"

namespace scaleml::cli {
namespace {

struct GenerateFlags {
  GeneratorParams params;
  std::optional<std::int64_t> samples;
  std::string size;
  std::string weights;
  std::string shift = "0";
  std::string scale = "1";
  bool no_shuffle = false;
  bool no_hypercube = false;
  int threads = 0;
  std::string out;
};

// "1GB", "500MB", "64KiB", "1000" (bytes): decimal units, binary with an i.
std::int64_t ParseSize(const std::string& text) {
  std::size_t used = 0;
  double number = 0.0;
  try {
    number = std::stod(text, &used);
  } catch (const std::logic_error&) {
    throw InputError("--size '", text, "' is not a size such as 1GB, 500MB or 64KiB");
  }
  std::string unit = text.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double factor = 0.0;
  if (unit.empty() || unit == "B") factor = 1;
  if (unit == "KB" || unit == "K") factor = 1e3;
  if (unit == "MB" || unit == "M") factor = 1e6;
  if (unit == "GB" || unit == "G") factor = 1e9;
  if (unit == "TB" || unit == "T") factor = 1e12;
  if (unit == "KIB") factor = 1024.0;
  if (unit == "MIB") factor = 1024.0 * 1024;
  if (unit == "GIB") factor = 1024.0 * 1024 * 1024;
  if (factor == 0.0 || !(number > 0) || !std::isfinite(number * factor)) {
    throw InputError("--size '", text, "' is not a size such as 1GB, 500MB or 64KiB");
  }
  return static_cast<std::int64_t>(std::llround(number * factor));
}

std::optional<double> ParseNumberOrRandom(const std::string& flag, const std::string& text) {
  if (text == "random") return std::nullopt;
  std::size_t used = 0;
  try {
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::logic_error&) {
  }
  throw InputError(flag, " '", text, "' is not a number or 'random'");
}

std::vector<double> ParseWeights(const std::string& text) {
  std::vector<double> weights;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string field = text.substr(start, comma - start);
    std::size_t used = 0;
    try {
      weights.push_back(std::stod(field, &used));
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (used == 0 || used != field.size()) {
      throw InputError("--weights '", text, "': '", field, "' is not a number");
    }
    start = comma + 1;
  }
  return weights;
}

void RunGenerate(GenerateFlags flags) {
  const int threads = SetThreads(flags.threads);
  GeneratorParams& params = flags.params;
  params.shuffle = !flags.no_shuffle;
  params.hypercube = !flags.no_hypercube;
  params.shift = ParseNumberOrRandom("--shift", flags.shift);
  params.scale = ParseNumberOrRandom("--scale", flags.scale);
  if (!flags.weights.empty()) params.weights = ParseWeights(flags.weights);
  if (flags.samples) {
    params.samples = *flags.samples;
  } else {
    params.samples = RowsForSize(params, ParseSize(flags.size));
  }
  const ClassificationGenerator generator(params);
  Stopwatch clock;
  const GenerateResult result = generator.WriteCsv(flags.out);
  const double seconds = clock.Seconds();
  std::printf("wrote %s: %lld rows x %d features, %.1f MB in %.2f s (%.0f MB/s, %d threads)\n",
              flags.out.c_str(), static_cast<long long>(result.rows), generator.params().features,
              static_cast<double>(result.bytes) / 1e6, seconds,
              static_cast<double>(result.bytes) / 1e6 / std::max(seconds, 1e-9), threads);
}

}  // namespace

void RegisterGenerate(CLI::App& app) {
  auto flags = std::make_shared<GenerateFlags>();
  GeneratorParams& p = flags->params;
  auto* command = app.add_subcommand(
      "generate",
      "Write a synthetic classification CSV (scikit-learn's make_classification, streamed in "
      "chunks) with FILE.csv.meta and FILE.csv.json beside it");
  auto* samples = command->add_option("--samples", flags->samples, "Number of rows");
  auto* size = command->add_option("--size", flags->size,
                                   "Approximate file size instead of --samples: 1GB, 500MB, 64KiB "
                                   "(KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)");
  samples->excludes(size);
  size->excludes(samples);
  command->add_option("--features", p.features, "Number of features")->capture_default_str();
  command->add_option("--classes", p.classes, "Number of classes")->capture_default_str();
  command->add_option("--informative", p.informative,
                      "Informative features (default: features / 2)");
  command->add_option("--redundant", p.redundant,
                      "Redundant features, linear combinations of the informative ones "
                      "(default: features / 2)");
  command
      ->add_option("--repeated", p.repeated, "Features copied from informative or redundant ones")
      ->capture_default_str();
  command->add_option("--clusters-per-class", p.clusters_per_class, "Gaussian clusters per class")
      ->capture_default_str();
  command
      ->add_option("--flip-y", p.flip_y,
                   "Fraction of rows whose label is replaced by a random class")
      ->capture_default_str();
  command->add_option("--class-sep", p.class_sep, "Half the side of the centroids' hypercube")
      ->capture_default_str();
  command->add_option("--weights", flags->weights,
                      "Class proportions, comma separated (all classes or all but the last); "
                      "default balanced");
  command->add_option("--shift", flags->shift, "Added to every feature: a number or 'random'")
      ->capture_default_str();
  command
      ->add_option("--scale", flags->scale,
                   "Multiplies every feature (after the shift): a number or 'random'")
      ->capture_default_str();
  command->add_flag("--no-hypercube", flags->no_hypercube,
                    "Centroids on a random polytope instead of hypercube vertices");
  command->add_flag("--no-shuffle", flags->no_shuffle,
                    "Keep rows in cluster order within each chunk and columns in the order "
                    "informative, redundant, repeated, useless");
  command
      ->add_option("--categorical", p.categorical,
                   "Informative features written as string categories (c0..c9 up to "
                   "c0000..c9999: levels spread from 10 to 10,000 across them)")
      ->capture_default_str();
  command
      ->add_option("--missing", p.missing,
                   "Fraction of feature cells written empty (missing), e.g. 0.05")
      ->capture_default_str();
  command->add_option("--seed", p.seed, "Random seed: the same seed gives the same bytes")
      ->capture_default_str();
  command->add_option("--chunk-size", p.chunk_size, "Rows per chunk")->capture_default_str();
  command->add_flag("--problem-per-chunk", p.problem_per_chunk,
                    "A fresh, independent problem for every chunk, as the paper's generator did "
                    "(default: one problem for the whole file)");
  command
      ->add_option("--threads", flags->threads,
                   "Threads (0 = all cores); the output does not depend on it")
      ->capture_default_str();
  command->add_option("--out", flags->out, "The CSV file to write")->required();
  command->callback([flags] {
    if (!flags->samples && flags->size.empty()) throw InputError("give --samples N or --size 1GB");
    RunGenerate(*flags);
  });
}

}  // namespace scaleml::cli
