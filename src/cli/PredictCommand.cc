// scaleml predict: applies a saved model to a CSV file, one prediction per row.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "algo/Registry.h"
#include "cli/Commands.h"
#include "cli/CsvFlags.h"
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
  bool target_given = false;  // --target was on the command line
};

// A CSV field: quoted (RFC 4180) when it holds a separator, a quote or a line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

// The model's target column, when its schema names one.
std::string ModelTarget(const Classifier& model) {
  for (const auto& column : model.schema().columns) {
    if (column.is_target) return column.name;
  }
  return "";
}

// The file's features must be the model's, in the same order (a model file without feature
// names, from a Fit outside FitModel, is not checked).
void CheckFeatureNames(const Dataset& data, const Classifier& model, const PredictFlags& flags) {
  const auto& expected = model.feature_names();
  const auto& found = data.feature_names();
  if (expected.empty() || expected == found) return;
  for (std::size_t f = 0; f < std::min(expected.size(), found.size()); ++f) {
    if (expected[f] != found[f]) {
      throw InputError(flags.data_path, ": feature ", f + 1, " is '", found[f], "' but the model ",
                       flags.model_path, " was trained with '", expected[f],
                       "' there; give the columns the model was trained on, in its order");
    }
  }
  throw InputError(flags.data_path, ": has ", found.size(), " feature columns but the model ",
                   flags.model_path, " was trained on ", expected.size(), " (",
                   expected.size() > found.size() ? "missing '" : "extra '",
                   expected.size() > found.size() ? expected[found.size()] : found[expected.size()],
                   "'); give the columns the model was trained on");
}

void RunPredict(const PredictFlags& flags) {
  RefuseOverwritingInputs({{"--out", flags.out_path}},
                          {{"--data", flags.data_path},
                           {"--model", flags.model_path},
                           {"the binary cache of --data", CachePathFor(flags.data_path)}});
  SetThreads(flags.threads);
  auto model = LoadClassifier(flags.model_path);
  CsvOptions csv = flags.csv;
  csv.require_target = false;
  if (!flags.target_given && !ModelTarget(*model).empty()) csv.target = ModelTarget(*model);
  // The file is read with the model's columns and dictionaries: columns by name in any order,
  // extra ones ignored, unseen categories as missing. A model without a recorded schema needs
  // the model's features in its order, which CheckFeatureNames enforces.
  if (!model->schema().columns.empty()) csv.fixed_schema = &model->schema();
  Dataset data = ReadCsv(flags.data_path, csv);
  CheckFeatureNames(data, *model, flags);
  LocalComm comm;
  std::vector<float> proba = model->PredictProba(data, comm);
  std::vector<std::int32_t> labels = ArgmaxLabels(proba, model->classes());
  const auto& classes = model->classes();
  // Labels are indices into the schema's class names (or raw integers without names).
  std::vector<std::string> names;
  for (auto c : classes) names.push_back(CsvField(model->schema().ClassName(c)));

  std::string text = "prediction";
  if (flags.proba) {
    for (auto c : classes) text += "," + CsvField("proba_" + model->schema().ClassName(c));
  }
  text += "\n";
  AtomicFile out(flags.out_path);
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const auto at = std::lower_bound(classes.begin(), classes.end(), labels[r]) - classes.begin();
    text += names[static_cast<std::size_t>(at)];
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
  command
      ->add_option("--target", flags->csv.target,
                   "Name of the label column, if present (default: the model's target column)")
      ->capture_default_str()
      ->each([flags](const std::string&) { flags->target_given = true; });
  AddCsvFlags(command, &flags->csv);
  command->add_flag("--proba", flags->proba,
                    "Also write each class's probability, in columns proba_CLASSNAME");
  command->add_option("--threads", flags->threads, "Threads (0 = all cores)")->check(ThreadCount());
  command->callback([flags] { RunPredict(*flags); });
}

}  // namespace scaleml::cli
