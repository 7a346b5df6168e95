#include "engine/tune/TuneRunner.h"

#include <signal.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

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
#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/MemoryEstimate.h"
#include "engine/tune/SearchSpace.h"
#include "engine/tune/TrialTable.h"

namespace scaleml::tune {
namespace {

using tasks::ClusterLauncher;
using tasks::Driver;

// A private cluster for one run when none is running here: its own SCALEML_HOME, stopped (and
// removed) when the run ends, however it ends.
class LocalCluster {
 public:
  explicit LocalCluster(int cpus) {
    const char* home = std::getenv("SCALEML_HOME");
    if (home != nullptr) old_home_ = home;
    char pattern[] = "/tmp/scaleml_local_XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw Failure("cannot create a folder for a local cluster");
    home_ = pattern;
    setenv("SCALEML_HOME", home_.c_str(), 1);
    tasks::StartOptions options;
    options.head = true;
    options.port = 0;
    options.node_name = "local";
    options.cpus = cpus;
    try {
      cluster_ = ClusterLauncher::Start(options).cluster;
    } catch (...) {
      Restore();
      throw;
    }
  }
  ~LocalCluster() {
    try {
      ClusterLauncher::StopLocal();
    } catch (const std::exception& e) {
      LogWarning("local cluster: ", e.what());
    }
    Restore();
  }
  const tasks::ClusterFile& cluster() const { return cluster_; }

 private:
  void Restore() {
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
    if (old_home_) {
      setenv("SCALEML_HOME", old_home_->c_str(), 1);
    } else {
      unsetenv("SCALEML_HOME");
    }
  }
  std::string home_;
  std::optional<std::string> old_home_;
  tasks::ClusterFile cluster_;
};

bool ClusterRunsHere() {
  auto file = tasks::ReadClusterFile();
  if (!file) return false;
  if (file->redis_pid > 0) return tasks::ProcessAlive(file->redis_pid, "redis-server");
  return true;  // a worker machine's file: the head is elsewhere
}

bool Better(double a, double b, bool maximize) { return maximize ? a > b : a < b; }

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
  const bool maximize = mode == "max";
  const std::string name = options.name.empty() ? options.algo : options.name;
  ExperimentStorage storage(options.storage);

  // The trials: from the saved state on --resume, else from the search space.
  std::vector<Trial> trials;
  nlohmann::json state;
  if (auto saved = options.resume ? storage.LoadState() : std::nullopt) {
    state = *saved;
    if (state.value("algo", "") != options.algo || state.value("data", "") != options.data_path) {
      throw InputError("tune --resume: ", options.storage, " holds an experiment of ",
                       state.value("algo", "?"), " on ", state.value("data", "?"));
    }
    for (const auto& t : state["trials"]) {
      Trial trial;
      trial.trial_id = t.at("trial_id").get<std::string>();
      trial.config = t.at("config");
      trials.push_back(std::move(trial));
    }
  } else {
    SearchSpace space = SearchSpace::Parse(options.search_space);
    nlohmann::json merged = space.json();
    for (const auto& [key, value] : ParseParamPairs(options.params)) {
      if (merged.contains(key)) {
        throw InputError("tune: parameter ", key,
                         " is given both by --param and by "
                         "--search-space; give it once");
      }
      merged[key] = value;
    }
    space = SearchSpace::FromJson(merged);
    // Before any data is loaded or trial submitted: a bad value would fail every trial.
    space.CheckParams(options.algo, *FindAlgorithm(options.algo).schema);
    std::size_t index = 0;
    for (auto& config : space.Expand(options.num_samples, options.search_seed)) {
      Trial trial;
      char id[32];
      std::snprintf(id, sizeof(id), "_%05zu", index++);
      trial.trial_id = name + id;
      trial.config = std::move(config);
      trials.push_back(std::move(trial));
    }
    state = {{"algo", options.algo},
             {"data", options.data_path},
             {"metric", options.metric},
             {"mode", mode},
             {"trials", nlohmann::json::array()}};
    for (const auto& t : trials)
      state["trials"].push_back({{"trial_id", t.trial_id}, {"config", t.config}});
    storage.SaveState(state);
  }
  std::size_t unfinished = 0;
  for (auto& trial : trials) {
    if (auto done = options.resume ? storage.LoadFinishedTrial(trial.trial_id) : std::nullopt) {
      trial = *done;
    } else {
      ++unfinished;
    }
  }

  TrialTable table(options.metric, options.quiet);
  double load_s = 0, put_s = 0;
  std::int64_t memory_per_trial = options.memory_per_trial;
  std::string address = options.address;
  std::unique_ptr<LocalCluster> local;
  // The summary as it stands, written after every trial so an interrupted run leaves one.
  auto summarize = [&]() {
    TuneResult result;
    result.trials = trials;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      if (trials[i].status != "TERMINATED") continue;
      if (result.best < 0 || Better(trials[i].metric, trials[result.best].metric, maximize)) {
        result.best = static_cast<int>(i);
      }
    }
    nlohmann::json summary = {{"experiment", name},
                              {"algo", options.algo},
                              {"data", options.data_path},
                              {"metric", options.metric},
                              {"mode", mode},
                              {"num_samples", options.num_samples},
                              {"cpus_per_trial", options.cpus_per_trial},
                              {"memory_per_trial", memory_per_trial},
                              {"load_s", load_s},
                              {"put_s", put_s},
                              {"total_s", clock.Seconds()},
                              {"local_cluster", local != nullptr},
                              {"trials", nlohmann::json::array()}};
    for (const auto& t : trials) summary["trials"].push_back(t.ToJson());
    if (result.best >= 0) {
      const Trial& best = trials[result.best];
      summary["best"] = {
          {"trial_id", best.trial_id}, {"config", best.config}, {options.metric, best.metric}};
    }
    result.summary = summary;
    storage.SaveSummary(summary, trials);
    return result;
  };
  if (unfinished > 0) {
    // Fork the local cluster before this process starts any OpenMP thread (CSV parsing).
    if ((address.empty() || address == "auto") && !ClusterRunsHere()) {
      if (!options.quiet)
        std::printf("no cluster running here: starting a local one for this run\n");
      local = std::make_unique<LocalCluster>(options.local_cpus);
      address = local->cluster().address;
    }
    auto driver = Driver::Connect(local ? local->cluster().address : address,
                                  local ? local->cluster().token : options.token,
                                  options.reconnect_timeout_s);
    Stopwatch phase;
    CsvOptions csv = options.csv;
    csv.threads = options.load_threads;
    SetThreads(options.load_threads);
    Dataset data = ReadCsv(options.data_path, csv);
    load_s = phase.Seconds();
    phase.Restart();
    tasks::ObjectRef object = driver->Put(data);
    put_s = phase.Seconds();
    const std::int64_t dataset_bytes =
        static_cast<std::int64_t>(tasks::DatasetObject::SizeOf(data));
    memory_per_trial = options.memory_per_trial > 0
                           ? options.memory_per_trial
                           : EstimateTrialMemory(FindAlgorithm(options.algo).name, dataset_bytes);
    data = Dataset();

    std::map<std::string, std::size_t> by_task;
    std::vector<tasks::TaskRef> active;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      if (trials[i].final()) continue;
      nlohmann::json params = nlohmann::json::object();
      for (const auto& [key, value] : trials[i].config.items()) params[key] = ParamText(value);
      nlohmann::json args = {{"algo", options.algo},           {"params", params},
                             {"test_size", options.test_size}, {"seed", options.split_seed},
                             {"cv_folds", options.cv_folds},   {"data_path", options.data_path}};
      tasks::TaskRef ref = driver->Submit("train_trial", args, {object}, options.cpus_per_trial,
                                          options.max_failures, memory_per_trial);
      trials[i].task_id = ref.id;
      trials[i].status = "PENDING";
      by_task[ref.id] = i;
      active.push_back(ref);
    }
    std::map<std::string, std::string> node_names;
    double last_check = -10, starved_since = -1;
    try {
      InterruptGuard interrupt_guard;
      while (!active.empty()) {
        auto ready = driver->Wait(active, 1, 0.5);
        if (g_interrupted) {
          for (const auto& ref : active) driver->Cancel(ref, "cancelled: tune was interrupted");
          throw Failure("tune: interrupted with ", active.size(),
                        " trials unfinished; finish them with --resume");
        }
        if (clock.Seconds() - last_check >= 1.0) {
          last_check = clock.Seconds();
          int largest = 0;
          const tasks::NodeInfo* roomiest = nullptr;  // the live node with the most memory
          const auto nodes = driver->Nodes();
          for (const auto& node : nodes) {
            node_names[node.info.node_id] = node.info.name;
            if (!node.alive) continue;
            largest = std::max(largest, node.info.cpus);
            if (roomiest == nullptr || node.info.memory > roomiest->memory) roomiest = &node.info;
          }
          // A trial larger than every node's memory would wait for ever: fail with the numbers.
          if (roomiest != nullptr && memory_per_trial > roomiest->memory) {
            for (const auto& ref : active) driver->Cancel(ref, "cancelled: no node has the memory");
            throw Failure("tune: a trial needs ", tasks::Megabytes(memory_per_trial),
                          " of memory (",
                          options.memory_per_trial > 0
                              ? "--memory-per-trial"
                              : StrCat("estimated for ", options.algo, " on a dataset of ",
                                       tasks::Megabytes(dataset_bytes)),
                          "); the live node with the most, ", roomiest->name, ", has ",
                          tasks::Megabytes(roomiest->memory),
                          " for tasks (give --memory-per-trial, or add a node with more memory)");
          }
          // Follow the running ones for the table.
          for (const auto& ref : active) {
            auto record = driver->control().Task(ref.id);
            if (!record) continue;
            Trial& trial = trials[by_task[ref.id]];
            if (record->state == tasks::TaskState::kRunning) {
              const bool started_now = trial.status != "RUNNING";
              trial.status = "RUNNING";
              trial.node = node_names[record->node];
              trial.started = record->started;
              // The dashboard shows running trials from the storage folder.
              if (started_now) storage.SaveRunning(trial);
            } else if (record->state == tasks::TaskState::kPending) {
              trial.status = "PENDING";
            }
          }
          if (largest < options.cpus_per_trial) {
            if (starved_since < 0) starved_since = clock.Seconds();
            // A node may still join; a local cluster will not grow.
            if (clock.Seconds() - starved_since > (local ? 0 : 15)) {
              throw Failure("tune: no live node has ", options.cpus_per_trial,
                            " CPUs for a trial (largest: ", largest, "); ", active.size(),
                            " trials cannot run (start nodes with more --num-cpus, or give "
                            "tune --num-cpus for its local cluster)");
            }
          } else {
            starved_since = -1;
          }
        }
        for (const auto& ref : ready) {
          tasks::TaskRecord record = driver->Get(ref, 10);
          Trial& trial = trials[by_task[ref.id]];
          trial.attempts = record.attempt + 1;
          trial.started = record.started;
          trial.finished = record.finished;
          if (node_names.count(record.node) == 0) {
            for (const auto& node : driver->Nodes()) node_names[node.info.node_id] = node.info.name;
          }
          trial.node = node_names.count(record.node) ? node_names[record.node] : record.node;
          if (record.state == tasks::TaskState::kDone && record.result.contains(options.metric) &&
              record.result[options.metric].is_number()) {
            trial.status = "TERMINATED";
            trial.result = record.result;
            trial.metric = record.result[options.metric].get<double>();
          } else {
            trial.status = "ERROR";
            trial.error = record.state != tasks::TaskState::kDone ? record.error
                          : record.result.contains(options.metric)
                              ? "the trial's " + options.metric +
                                    " is undefined (a single class among its test rows?)"
                              : "the result has no numeric '" + options.metric + "'";
          }
          storage.SaveTrial(trial);
          summarize();
          active.erase(std::remove_if(active.begin(), active.end(),
                                      [&](const tasks::TaskRef& r) { return r.id == ref.id; }),
                       active.end());
        }
        table.Update(trials, clock.Seconds());
      }
    } catch (...) {
      summarize();
      driver->Free(object);
      throw;
    }
    driver->Free(object);
  }

  TuneResult result = summarize();
  table.Finish(trials, clock.Seconds());
  return result;
}

}  // namespace scaleml::tune
