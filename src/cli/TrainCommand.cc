// scaleml train: one training run on this machine (engine local), printing a report or JSON.
#include <cstdio>
#include <iostream>

#include "algo/Registry.h"
#include "cli/Commands.h"
#include "cli/OptionChecks.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/PathGuard.h"
#include "core/Threads.h"
#include "data/BinaryCache.h"
#include "engine/TrainJob.h"
#include "engine/ddp/DdpTrain.h"
#include "engine/tune/TasksTrain.h"

namespace scaleml::cli {
namespace {

struct TrainFlags {
  TrainRequest request;
  std::vector<std::string> params;
  std::string ddp_mode = "one-model";
  bool json = false;
  bool no_cache = false;
  bool list_params = false;
};

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
      {{"--save-model", request.save_model}},
      {{"--data", request.data_path},
       {"the binary cache of --data", flags.no_cache ? "" : CachePathFor(request.data_path)}});
  if (request.engine != "local" && request.engine != "ddp" && request.engine != "tasks") {
    throw InputError("train: --engine ", request.engine,
                     " is not available in this build; use --engine local, ddp or tasks");
  }
  const DdpMode ddp_mode = ParseDdpMode(flags.ddp_mode);
  if (ddp_mode != DdpMode::kOneModel && request.engine != "ddp") {
    throw InputError("train: --ddp-mode ", flags.ddp_mode,
                     " applies to --engine ddp only; add --engine ddp under scaleml launch");
  }
  // Under a launcher, ranks share the node's cores: OMP_NUM_THREADS says how many are ours.
  if (request.engine == "ddp" && request.threads == 0) request.threads = DdpDefaultThreads();
  request.params = ParseParamPairs(flags.params);
  request.csv.use_cache = !flags.no_cache;
  request.threads = SetThreads(request.threads);
  request.csv.threads = request.threads;
  if (request.engine == "tasks") {  // one trial on the tasks engine
    nlohmann::json report = tune::RunTasksTrain(request);
    std::cout << (flags.json ? report.dump() + "\n" : tune::TasksTrainText(report));
    return;
  }
  if (request.engine == "ddp") {
    DdpTrainResult result = RunDdpTrain(request, ddp_mode);
    if (!result.is_root) return;
    if (flags.json) {
      std::cout << DdpTrainJson(result).dump() << std::endl;
    } else {
      std::cout << DdpTrainText(result);
      if (!request.save_model.empty()) std::cout << "  model     " << request.save_model << "\n";
    }
    return;
  }
  LocalComm comm;
  TrainReport report = RunTrainJob(request, comm);
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
      "train", "Train a classifier on a CSV file and score it on a held-out split");
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
      ->add_option("--engine", flags->request.engine,
                   "local, or ddp (one rank of a group started by scaleml launch or torchrun)")
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
  command
      ->add_option("--test-size", flags->request.split.test_size,
                   "Fraction of rows held out for scoring")
      ->capture_default_str();
  command->add_option("--seed", flags->request.split.seed, "Seed of the train/test split")
      ->capture_default_str();
  command->add_option("--threads", flags->request.threads, "Threads (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_option("--target", flags->request.csv.target, "Name of the label column")
      ->capture_default_str();
  command->add_flag("--allow-missing", flags->request.csv.allow_missing,
                    "Accept empty or NaN feature values");
  command->add_flag("--no-cache", flags->no_cache,
                    "Neither read nor write the binary cache FILE.scaleml");
  command->add_option("--save-model", flags->request.save_model,
                      "Write the trained model here (ddp paper mode: rank 0's model)");
  command->add_flag("--json", flags->json, "Print the report as one JSON object on stdout");
  command->callback([flags] { RunTrain(*flags); });
}

}  // namespace scaleml::cli
