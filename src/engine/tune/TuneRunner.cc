#include "engine/tune/TuneRunner.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "algo/ParamSchema.h"
#include "algo/Registry.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "core/Threads.h"
#include "data/CsvReader.h"
#include "data/TrainTestSplit.h"
#include "engine/Metrics.h"
#include "engine/tasks/ClusterLauncher.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/Driver.h"
#include "engine/tasks/SpillPolicy.h"
#include "engine/tune/ExperimentPlan.h"
#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/ExperimentSummary.h"
#include "engine/tune/MemoryEstimate.h"
#include "engine/tune/SearchSpace.h"
#include "engine/tune/TrialRunner.h"
#include "engine/tune/TrialTable.h"

namespace scaleml::tune {
namespace {

using tasks::ClusterLauncher;
using tasks::Driver;

// A private cluster for one run when none is running here: its own home folder (passed to the
// launcher, the driver and stop; no environment variable is set), stopped (and removed) when the
// run ends, however it ends.
class LocalCluster {
 public:
  explicit LocalCluster(int cpus) {
    char pattern[] = "/tmp/scaleml_local_XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw Failure("cannot create a folder for a local cluster");
    home_ = pattern;
    tasks::StartOptions options;
    options.head = true;
    options.port = 0;
    options.node_name = "local";
    options.cpus = cpus;
    options.home = home_;
    try {
      cluster_ = ClusterLauncher::Start(options).cluster;
    } catch (...) {
      RemoveHome();
      throw;
    }
    watch_pid_ = WatchOwner(getpid(), home_);
  }
  ~LocalCluster() {
    tasks::StopProcess(watch_pid_, "", 2.0);
    try {
      ClusterLauncher::StopLocal(home_);
    } catch (const std::exception& e) {
      LogWarning("local cluster: ", e.what());
    }
    RemoveHome();
  }
  const tasks::ClusterFile& cluster() const { return cluster_; }
  const std::string& home() const { return home_; }

 private:
  void RemoveHome() {
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }
  // Redis and the agent are daemons: a driver killed with SIGKILL (a bench timeout, an OOM kill)
  // runs no destructor, so a watcher stops the cluster and removes its home once the owner is gone.
  static pid_t WatchOwner(pid_t owner, const std::string& home) {
    return tasks::SpawnDaemon(home + "/owner_watch.log", [owner, home] {
      signal(SIGTERM, SIG_DFL);  // the owner's handler came with the fork; its stop is a SIGTERM
      signal(SIGINT, SIG_IGN);   // a Ctrl-C to the owner's terminal is the owner's to handle
      while (kill(owner, 0) == 0 || errno == EPERM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      LogWarning("local cluster: its owner (pid ", owner, ") is gone; stopping it");
      ClusterLauncher::StopLocal(home);
      std::error_code ec;
      std::filesystem::remove_all(home, ec);
      return 0;
    });
  }
  std::string home_;
  pid_t watch_pid_ = 0;
  tasks::ClusterFile cluster_;
};

bool ClusterRunsHere(const std::string& home) {
  auto file = tasks::ReadClusterFile(home);
  if (!file) return false;
  if (file->redis_pid > 0) return tasks::ProcessAlive(file->redis_pid, "redis-server");
  return true;  // a worker machine's file: the head is elsewhere
}

volatile std::sig_atomic_t g_interrupted = 0;

// Ctrl-C (or SIGTERM) while trials run: cancel them, write what finished, stop a local cluster,
// then fail; --resume continues. The previous handlers come back when the run ends.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction action {};
    action.sa_handler = [](int) { g_interrupted = 1; };
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

TuneResult TuneRunner::Run(const TuneOptions& options) {
  Stopwatch clock;
  FindAlgorithm(options.algo);  // an input error for an unknown algorithm, before anything runs
  if (options.data_path.empty()) throw InputError("tune: --data FILE.csv is required");
  if (!std::filesystem::exists(options.data_path)) {
    throw InputError("tune: --data ", options.data_path, ": no such file");
  }
  if (!options.mode.empty() && options.mode != "max" && options.mode != "min") {
    throw InputError("tune: --mode must be max or min, not ", options.mode);
  }
  const std::string metric_mode = MetricMode(options.metric);  // an input error if unknown
  const std::string mode = options.mode.empty() ? metric_mode : options.mode;
  if (options.cv_folds != 0 && options.cv_folds < 2) {
    throw InputError("tune: --cv ", options.cv_folds, ": use at least 2 folds");
  }
  if (options.cv_folds == 0) CheckTestSize({options.test_size, options.split_seed});
  if (options.cpus_per_trial < 1) throw InputError("tune: --cpus-per-trial must be at least 1");
  if (options.memory_per_trial < 0) throw InputError("tune: --memory-per-trial must be >= 0");
  if (options.max_failures < 0) throw InputError("tune: --max-failures must be >= 0");
  if (options.max_concurrent_trials < 0) {
    throw InputError("tune: --max-concurrent-trials must be >= 0 (0: as the cluster's CPUs allow)");
  }
  if (options.time_budget_s < 0) throw InputError("tune: --time-budget-s must be >= 0");
  if (options.report_rounds && !(options.valid_fraction >= 0 && options.valid_fraction < 1)) {
    throw InputError("tune: --valid-fraction ", options.valid_fraction,
                     " must be in [0, 1) (0: no per-round reports)");
  }
  if (options.checkpoint_freq < 0) throw InputError("tune: --checkpoint-freq must be >= 0");
  SchedulerOptions scheduler_options = options.scheduler;
  scheduler_options.maximize = mode == "max";
  scheduler_options.seed = options.search_seed;
  std::unique_ptr<Scheduler> scheduler = MakeScheduler(scheduler_options);  // checks its options
  if (options.scheduler.kind != SchedulerKind::kFifo &&
      !(options.report_rounds && options.valid_fraction > 0)) {
    throw InputError(
        "tune: --scheduler asha and median decide on per-round reports: give --valid-fraction > "
        "0");
  }
  ExperimentStorage storage(options.storage);
  ExperimentPlan plan(options, storage, mode);
  const ExperimentSummary summary(options, plan.name(), mode);

  TrialTable table(options.metric, options.quiet);
  SummaryTimes times;
  std::string address = options.address;
  std::unique_ptr<LocalCluster> local;
  TuneOptions run_options = options;  // with the memory a trial reserves; outlives `runner`
  std::unique_ptr<TrialRunner> runner;
  // The summary as it stands, written after every trial so an interrupted run leaves one.
  auto summarize = [&](bool best_model) {
    times.total_s = clock.Seconds();
    times.local_cluster = local != nullptr;
    if (runner != nullptr) {
      times.driver_s = runner->overhead_s();
      times.scheduler_s = runner->decisions_s();
      times.budget_spent = runner->budget_spent();
    }
    TuneResult result = summary.Make(plan.trials(), times);
    summary.Save(storage, result, best_model);
    return result;
  };
  if (plan.HasMore()) {
    // Fork the local cluster before this process starts any OpenMP thread (CSV parsing).
    const std::string home = tasks::ResolveHome(options.home);
    if ((address.empty() || address == "auto") && !ClusterRunsHere(home)) {
      if (!options.quiet)
        std::printf("no cluster running here: starting a local one for this run\n");
      local = std::make_unique<LocalCluster>(options.local_cpus);
      address = local->cluster().address;
    }
    auto driver = Driver::Connect(local ? local->cluster().address : address,
                                  local ? local->cluster().token : options.token,
                                  options.reconnect_timeout_s, local ? local->home() : home);
    Stopwatch phase;
    CsvOptions csv = options.csv;
    csv.threads = options.load_threads;
    SetThreads(options.load_threads);
    Dataset data = ReadCsv(options.data_path, csv);
    times.load_s = phase.Seconds();
    phase.Restart();
    tasks::ObjectRef object = driver->Put(data);
    times.put_s = phase.Seconds();
    // Every trial reserves memory on its node: as declared, or estimated from the dataset.
    std::string memory_origin = "--memory-per-trial";
    if (run_options.memory_per_trial == 0) {
      const auto dataset_bytes = static_cast<std::int64_t>(tasks::DatasetObject::SizeOf(data));
      run_options.memory_per_trial =
          EstimateTrialMemory(FindAlgorithm(options.algo).name, dataset_bytes);
      memory_origin = StrCat("estimated for ", options.algo, " on a dataset of ",
                             tasks::Megabytes(dataset_bytes));
    }
    data = Dataset();

    runner = std::make_unique<TrialRunner>(*driver, object, run_options, plan, storage, *scheduler,
                                           table, local != nullptr);
    runner->set_memory_origin(memory_origin);
    try {
      InterruptGuard interrupt_guard;
      runner->Run(
          clock, [] { return g_interrupted != 0; }, [&] { summarize(false); });
    } catch (...) {
      summarize(true);
      driver->Free(object);
      throw;
    }
    driver->Free(object);
  }

  TuneResult result = summarize(true);
  table.Finish(plan.trials(), clock.Seconds());
  return result;
}

}  // namespace scaleml::tune
