// scaleml train: one training run on the engine of --engine (engine/Engine.h), printing its
// report as text or JSON and writing it as a versioned record with --report-file.
#include <cstdio>
#include <iostream>

#include "algo/Registry.h"
#include "cli/Commands.h"
#include "cli/CsvFlags.h"
#include "cli/OptionChecks.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/PathGuard.h"
#include "core/Threads.h"
#include "data/BinaryCache.h"
#include "engine/TrainJob.h"
#include "engine/TrainReportFile.h"
#include "engine/ddp/DdpTrain.h"
#include "engine/factory/MakeEngine.h"

namespace scaleml::cli {
namespace {

struct TrainFlags {
  TrainRequest request;
  std::vector<std::string> params;
  std::string engine = "local";  // parsed into request.engine
  std::string ddp_mode = "one-model";
  std::string report_file;
  RankOverrides rank_overrides;  // --master-addr/--master-port under mpirun and srun
  bool json = false;
  bool no_cache = false;
  bool list_params = false;
  CLI::Option* test_size_option = nullptr;  // to tell an explicit --test-size from the default
};

// --test-data and --cv replace the hash split: beyond RunTrainJob's checks, an explicit
// --test-size does not go with them.
void CheckScoringFlags(const TrainFlags& flags) {
  const TrainRequest& request = flags.request;
  const bool replaces_split = request.cv_folds != 0 || !request.test_data_path.empty();
  CheckScoringOptions(request);
  if (flags.test_size_option->count() > 0 && replaces_split) {
    throw InputError("train: --test-size does not apply with ",
                     request.cv_folds != 0 ? "--cv" : "--test-data",
                     ", which replaces the train/test split; drop --test-size");
  }
}

void RunTrain(TrainFlags& flags) {
  TrainRequest& request = flags.request;
  if (flags.list_params) {
    const AlgorithmInfo& info = FindAlgorithm(request.algo);
    std::printf("%s: %s\nparameters (name, type, default, range, description):\n%s",
                info.name.c_str(), info.summary.c_str(), info.schema->HelpText().c_str());
    return;
  }
  if (request.data_path.empty()) throw InputError("train: --data FILE.csv is required");
  RefuseOverwritingInputs(
      {{"--save-model", request.save_model}, {"--report-file", flags.report_file}},
      {{"--data", request.data_path},
       {"the binary cache of --data", flags.no_cache ? "" : CachePathFor(request.data_path)}});
  request.engine = ParseEngineKind(flags.engine);
  CheckScoringFlags(flags);
  EngineOptions engine_options;
  engine_options.ddp_mode = ParseDdpMode(flags.ddp_mode);
  engine_options.rank_overrides = flags.rank_overrides;
  std::unique_ptr<Engine> engine = MakeEngine(request.engine, engine_options);
  // Under a launcher, ranks share the node's cores: OMP_NUM_THREADS says how many are ours.
  if (request.engine == EngineKind::kDdp && request.threads == 0) {
    request.threads = DdpDefaultThreads();
  }
  request.params = ParseParamPairs(flags.params);
  request.csv.use_cache = !flags.no_cache;
  request.threads = SetThreads(request.threads);
  request.csv.threads = request.threads;
  const TrainReport report = engine->Train(request);
  if (report.rank != 0) return;  // ddp: rank 0 reports for the group
  if (!flags.report_file.empty()) WriteTrainReportFile(report, flags.report_file);
  if (flags.json) {
    std::cout << report.ToJson().dump() << std::endl;
  } else {
    std::cout << report.ToText();
    if (!request.save_model.empty()) std::cout << "  model     " << request.save_model << "\n";
  }
}

}  // namespace

void RegisterTrain(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  auto* command = app.add_subcommand(
      "train",
      "Train a classifier on a CSV file and score it on a held-out split, a test file or by "
      "cross-validation");
  command
      ->add_option("--algo", flags->request.algo,
                   "gbdt (alias lightgbm), xgboost, logreg, rf or knn")
      ->required();
  command->add_option("--data", flags->request.data_path, "The CSV file");
  command->add_option(
      "--param", flags->params,
      "An algorithm parameter as name=value (repeatable); --list-params shows them");
  command->add_flag("--list-params", flags->list_params,
                    "Print the algorithm's parameters with defaults and ranges, then exit");
  command
      ->add_option("--engine", flags->engine,
                   "local, tasks, or ddp (one rank of a group started by scaleml launch, "
                   "torchrun, mpirun or srun)")
      ->capture_default_str();
  command
      ->add_option("--ddp-mode", flags->ddp_mode,
                   "With --engine ddp: one-model (the ranks train one model together on their "
                   "parts of the file) or paper (the paper's protocol: every rank reads the whole "
                   "file, trains alone on a random 1/N of the training rows and scores the whole "
                   "test set; the report gives the mean accuracy and the slowest rank's times; "
                   "the group's --timeout must cover the wait for the slowest rank)")
      ->check(CLI::IsMember({"one-model", "paper"}))
      ->capture_default_str();
  flags->test_size_option = command
                                ->add_option("--test-size", flags->request.split.test_size,
                                             "Fraction of rows held out for scoring, in (0, 1)")
                                ->capture_default_str();
  command->add_option("--test-data", flags->request.test_data_path,
                      "Score on this CSV file (read with the same options; under ddp every rank "
                      "reads its part) instead of a split: every row of --data trains");
  command->add_option("--cv", flags->request.cv_folds,
                      "K-fold cross-validation (K >= 2) by the split's row hash: a model per fold, "
                      "each fold's metrics and their mean and standard deviation");
  command->add_option("--seed", flags->request.split.seed, "Seed of the train/test split")
      ->capture_default_str();
  command->add_option("--threads", flags->request.threads, "Threads (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_option("--target", flags->request.csv.target, "Name of the label column")
      ->capture_default_str();
  AddCsvFlags(command, &flags->request.csv);
  command->add_flag("--no-cache", flags->no_cache,
                    "Neither read nor write the binary cache FILE.scaleml");
  command->add_option("--save-model", flags->request.save_model,
                      "Write the trained model here (ddp paper mode: rank 0's model)");
  command->add_option("--master-addr", flags->rank_overrides.master_addr,
                      "With --engine ddp under mpirun or srun: the rendezvous host when "
                      "MASTER_ADDR is unset (srun's default: the step's first node)");
  command
      ->add_option("--master-port", flags->rank_overrides.master_port,
                   "With --engine ddp under mpirun or srun: the rendezvous port when MASTER_PORT "
                   "is unset (srun's default: 15000 + SLURM_JOB_ID % 10000)")
      ->check(CLI::Range(1, 65535));
  command->add_flag("--json", flags->json, "Print the report as one JSON object on stdout");
  command->add_option("--report-file", flags->report_file,
                      "Also write the report to this file (atomically; under ddp rank 0's) as a "
                      "versioned record: the JSON of --json with \"schema\": "
                      "\"scaleml.train_report\" and \"version\"");
  command->callback([flags] { RunTrain(*flags); });
}

}  // namespace scaleml::cli
