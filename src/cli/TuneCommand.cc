// scaleml tune: Ray Tune's tune.run on the tasks engine: trials of a search space, each a task
// with --cpus-per-trial CPUs, the live trial table, results under --storage, the best config.
#include <cstdio>
#include <memory>

#include "cli/ClusterToken.h"
#include "cli/Commands.h"
#include "cli/CsvFlags.h"
#include "cli/OptionChecks.h"
#include "core/PathGuard.h"
#include "data/BinaryCache.h"
#include "engine/tune/SearchSpace.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::cli {

void RegisterTune(CLI::App& app) {
  auto options = std::make_shared<tune::TuneOptions>();
  auto* command = app.add_subcommand(
      "tune", "Run trials of a search space on the tasks engine (Ray Tune's model)");
  command->add_option("--algo", options->algo, "gbdt (alias lightgbm), xgboost, logreg, rf or knn")
      ->required();
  command->add_option("--data", options->data_path, "The CSV file (loaded once, put once)")
      ->required();
  command
      ->add_option("--num-samples", options->num_samples,
                   "Trials per grid point (the paper: 2 of the default config)")
      ->capture_default_str();
  command->add_option("--cpus-per-trial", options->cpus_per_trial, "CPUs each trial reserves")
      ->check(CountIn(1, kMaxThreads))
      ->capture_default_str();
  command
      ->add_option("--memory-per-trial", options->memory_per_trial,
                   "Bytes of memory each trial reserves on its node (KB/MB/GB powers of 1000, "
                   "KiB/MiB/GiB of 1024; 0 = "
                   "estimated from the dataset's size and the algorithm)")
      ->transform(CLI::AsSizeValue(true))
      ->capture_default_str();
  command
      ->add_option("--search-space", options->search_space,
                   "JSON: {\"param\": constant | {\"grid_search\"|\"choice\": [...]} | "
                   "{\"uniform\"|\"loguniform\"|\"randint\": [lo, hi]}}")
      ->capture_default_str();
  command->add_option("--param", options->params, "A constant parameter name=value (repeatable)");
  command
      ->add_option("--metric", options->metric,
                   "The result to rank trials by: accuracy, logloss, roc_auc, f1 or "
                   "balanced_accuracy")
      ->capture_default_str();
  command->add_option("--mode", options->mode,
                      "max or min (default: min for logloss, max for the others)");
  command->add_option("--storage", options->storage,
                      "Experiment folder: trials, summary.json, summary.csv");
  command->add_option("--name", options->name, "Experiment name (default: the algorithm)");
  command
      ->add_option("--max-failures", options->max_failures,
                   "Reruns of a trial whose worker process or node died")
      ->capture_default_str();
  command
      ->add_option("--address", options->address,
                   "auto (this machine's cluster, or a local one for the run) or HOST:PORT")
      ->capture_default_str();
  command
      ->add_option("--num-cpus", options->local_cpus,
                   "CPUs of the local cluster started when none runs (0 = all cores), "
                   "as ray.init(num_cpus=N)")
      ->check(ThreadCount())
      ->capture_default_str();
  command
      ->add_option("--reconnect-timeout", options->reconnect_timeout_s,
                   "Seconds to wait for a lost or restarting head (its Redis) to come back")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  auto token = std::make_shared<ClusterTokenFlags>();
  AddClusterTokenFlags(command, token.get());
  command->add_flag("--resume", options->resume,
                    "Finish the experiment in --storage without rerunning finished trials");
  command->add_option("--test-size", options->test_size, "Fraction of rows held out for scoring")
      ->capture_default_str();
  command->add_option("--seed", options->split_seed, "Seed of the train/test split")
      ->capture_default_str();
  command->add_option("--cv", options->cv_folds,
                      "K-fold cross-validation in every trial (K >= 2), ranked by the folds' mean "
                      "of --metric");
  command->add_option("--search-seed", options->search_seed, "Seed of sampled parameters")
      ->capture_default_str();
  command
      ->add_option("--threads", options->load_threads,
                   "Threads to load the CSV with (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_option("--target", options->csv.target, "Name of the label column")
      ->capture_default_str();
  AddCsvFlags(command, &options->csv);
  command->callback([options, token] {
    options->token = token->Resolve();
    const std::string& storage = options->storage;
    std::vector<OutputPath> outputs = {{"--storage", storage}};
    if (!storage.empty()) {
      for (const char* file : {"experiment_state.json", "summary.json", "summary.csv"}) {
        outputs.push_back({"--storage", storage + "/" + file});
      }
    }
    RefuseOverwritingInputs(outputs,
                            {{"--data", options->data_path},
                             {"the binary cache of --data",
                              options->data_path.empty() ? "" : CachePathFor(options->data_path)}});
    tune::TuneResult result = tune::TuneRunner::Run(*options);
    int errors = 0;
    for (const auto& t : result.trials) errors += t.status == "ERROR" ? 1 : 0;
    if (result.best >= 0) {
      const auto& best = result.trials[result.best];
      std::printf("best trial %s: %s=%.6g config %s\n", best.trial_id.c_str(),
                  options->metric.c_str(), best.metric, best.config.dump().c_str());
    }
    if (!options->storage.empty()) {
      std::printf("results in %s (summary.json, summary.csv)\n", options->storage.c_str());
    }
    if (errors > 0) {
      std::fprintf(stderr, "scaleml: error: %d of %zu trials ended in ERROR\n", errors,
                   result.trials.size());
      std::exit(1);
    }
  });
}

}  // namespace scaleml::cli
