// scaleml predict: applies a saved model to a CSV file, one prediction per row.
#include <cstdio>
#include <iostream>

#include "algo/Registry.h"
#include "cli/Commands.h"
#include "cli/OptionChecks.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/PathGuard.h"
#include "core/Threads.h"
#include "data/BinaryCache.h"
#include "data/CsvReader.h"
#include "data/CsvWriter.h"

namespace scaleml::cli {
namespace {

struct PredictFlags {
  std::string model_path;
  std::string data_path;
  std::string out_path;
  CsvOptions csv;
  int threads = 0;
  bool proba = false;
};

void RunPredict(const PredictFlags& flags) {
  RefuseOverwritingInputs({{"--out", flags.out_path}},
                          {{"--data", flags.data_path},
                           {"--model", flags.model_path},
                           {"the binary cache of --data", CachePathFor(flags.data_path)}});
  SetThreads(flags.threads);
  auto model = LoadClassifier(flags.model_path);
  CsvOptions csv = flags.csv;
  csv.require_target = false;
  Dataset data = ReadCsv(flags.data_path, csv);
  LocalComm comm;
  std::vector<float> proba = model->PredictProba(data, comm);
  std::vector<std::int32_t> labels = ArgmaxLabels(proba, model->classes());
  const auto& classes = model->classes();

  std::string text = "prediction";
  if (flags.proba) {
    for (auto c : classes) text += ",proba_" + std::to_string(c);
  }
  text += "\n";
  AtomicFile out(flags.out_path);
  for (std::size_t r = 0; r < labels.size(); ++r) {
    text += std::to_string(labels[r]);
    if (flags.proba) {
      for (std::size_t c = 0; c < classes.size(); ++c) {
        text += ',';
        AppendShortest(text, proba[r * classes.size() + c]);
      }
    }
    text += '\n';
    if (text.size() > (1 << 20)) {
      out.Write(text);
      text.clear();
    }
  }
  out.Write(text);
  out.Commit();
  std::fprintf(stderr, "scaleml: wrote %zu predictions to %s\n", labels.size(),
               flags.out_path.c_str());
}

}  // namespace

void RegisterPredict(CLI::App& app) {
  auto flags = std::make_shared<PredictFlags>();
  auto* command =
      app.add_subcommand("predict", "Apply a saved model to a CSV file, one prediction per row");
  command->add_option("--model", flags->model_path, "A model written by train --save-model")
      ->required();
  command->add_option("--data", flags->data_path, "The CSV file (the target column is optional)")
      ->required();
  command->add_option("--out", flags->out_path, "Where to write the predictions (CSV)")->required();
  command->add_option("--target", flags->csv.target, "Name of the label column, if present")
      ->capture_default_str();
  command->add_flag("--allow-missing", flags->csv.allow_missing,
                    "Accept empty or NaN feature values");
  command->add_flag("--proba", flags->proba, "Also write each class's probability");
  command->add_option("--threads", flags->threads, "Threads (0 = all cores)")->check(ThreadCount());
  command->callback([flags] { RunPredict(*flags); });
}

}  // namespace scaleml::cli
