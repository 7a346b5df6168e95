// scaleml tune: Ray Tune's tune.run on the tasks engine: trials of a search space, each a task
// with --cpus-per-trial CPUs, per-round reports to a scheduler (fifo, asha, median), a searcher
// (grid, random, tpe), the live trial table, results under --storage, the best config.
#include <cstdio>
#include <filesystem>
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
                   "Trials per grid point (tpe: trials); -1 with --time-budget-s: until the "
                   "budget ends")
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
  auto choices = std::make_shared<std::pair<std::string, std::string>>("random", "fifo");
  command
      ->add_option("--search", choices->first,
                   "grid or random (Tune's variants: grid_search crossed, distributions "
                   "sampled) or tpe (Optuna's TPE sampler, its defaults)")
      ->check(CLI::IsMember({"grid", "random", "tpe"}))
      ->capture_default_str();
  command
      ->add_option("--scheduler", choices->second,
                   "fifo (every trial to its end), asha (Ray's AsyncHyperBandScheduler) or "
                   "median (Ray's MedianStoppingRule); time in rounds")
      ->check(CLI::IsMember({"fifo", "asha", "median"}))
      ->capture_default_str();
  command->add_option("--max-t", options->scheduler.max_t, "asha: rounds a trial trains at most")
      ->capture_default_str();
  command
      ->add_option("--grace-period", options->scheduler.grace_period,
                   "asha, median: rounds before a trial may be stopped")
      ->capture_default_str();
  command
      ->add_option("--reduction-factor", options->scheduler.reduction_factor,
                   "asha: 1/rf of the trials at a rung go on")
      ->capture_default_str();
  command->add_option("--brackets", options->scheduler.brackets, "asha: brackets")
      ->capture_default_str();
  command
      ->add_option("--min-samples-required", options->scheduler.min_samples_required,
                   "median: other trials a trial is compared with")
      ->capture_default_str();
  command
      ->add_option("--max-concurrent-trials", options->max_concurrent_trials,
                   "Trials running at once (0: as many as the cluster's CPUs hold)")
      ->capture_default_str();
  command
      ->add_option("--time-budget-s", options->time_budget_s,
                   "End the experiment after this many seconds: no new trials, running ones "
                   "stopped at their next round (0: no budget)")
      ->capture_default_str();
  command
      ->add_option("--valid-fraction", options->valid_fraction,
                   "Fraction of each trial's training rows held out for its per-round metric "
                   "(0: no per-round reports; trials train on all their training rows)")
      ->capture_default_str();
  command
      ->add_option("--checkpoint-freq", options->checkpoint_freq,
                   "Rounds between checkpoints of gbdt/xgboost trials (0: only the final model)")
      ->capture_default_str();
  command
      ->add_option("--threads", options->load_threads,
                   "Threads to load the CSV with (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_option("--target", options->csv.target, "Name of the label column")
      ->capture_default_str();
  AddCsvFlags(command, &options->csv);
  command->callback([options, token, choices] {
    options->token = token->Resolve();
    options->search = tune::ParseSearchKind(choices->first);
    options->scheduler.kind = tune::ParseSchedulerKind(choices->second);
    const std::string& storage = options->storage;
    std::vector<OutputPath> outputs = {{"--storage", storage}};
    if (!storage.empty()) {
      for (const char* file :
           {"experiment_state.json", "summary.json", "summary.csv", "best.model"}) {
        outputs.push_back({"--storage", storage + "/" + file});
      }
    }
    RefuseOverwritingInputs(outputs,
                            {{"--data", options->data_path},
                             {"the binary cache of --data",
                              options->data_path.empty() ? "" : CachePathFor(options->data_path)}});
    tune::TuneResult result = tune::TuneRunner::Run(*options);
    int errors = 0;
    for (const auto& t : result.trials) errors += t.status == tune::TrialStatus::kError ? 1 : 0;
    if (result.best >= 0) {
      const auto& best = result.trials[result.best];
      std::printf("best trial %s: %s=%.6g config %s\n", best.trial_id.c_str(),
                  options->metric.c_str(), best.metric, best.config.dump().c_str());
    }
    if (!options->storage.empty()) {
      std::printf("results in %s (summary.json, summary.csv%s)\n", options->storage.c_str(),
                  result.best >= 0 && std::filesystem::exists(options->storage + "/best.model")
                      ? ", best.model"
                      : "");
    }
    if (errors > 0) {
      std::fprintf(stderr, "scaleml: error: %d of %zu trials ended in ERROR\n", errors,
                   result.trials.size());
      std::exit(1);
    }
  });
}

}  // namespace scaleml::cli
