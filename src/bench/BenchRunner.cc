#include "bench/BenchRunner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "bench/BenchDataset.h"
#include "bench/FaultRun.h"
#include "bench/MachineInfo.h"
#include "bench/PeerSkipRule.h"
#include "bench/ResultsFile.h"
#include "bench/RunStatus.h"
#include "bench/SuitePlan.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "engine/Metrics.h"
#include "engine/TrainReportFile.h"
#include "net/Socket.h"

#ifndef SCALEML_SOURCE_DIR
#define SCALEML_SOURCE_DIR ""
#endif

namespace scaleml::bench {
namespace fs = std::filesystem;
namespace {

double NowUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A port that was free a moment ago on loopback, for one launch's rendezvous.
int FreePort() {
  int port = 0;
  if (Status found = net::FreePort("127.0.0.1", &port); !found.ok()) {
    throw Failure("no free port on 127.0.0.1: ", found.message());
  }
  return port;
}

std::string FindPeerScript(const std::string& given, const std::string& binary) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("SCALEML_PEERS_DIR")) {
    return std::string(env) + "/peer_train.py";
  }
  std::vector<fs::path> candidates = {fs::path(SCALEML_SOURCE_DIR) / "bench/peers/peer_train.py"};
  std::error_code ec;
  const fs::path exe = fs::canonical(binary, ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "bench/peers/peer_train.py");
  for (const auto& c : candidates) {
    if (!c.empty() && fs::exists(c, ec)) return c.string();
  }
  return "";
}

// peer_torch_ddp.py lives beside peer_train.py.
std::string TorchPeerScript(const std::string& peer_script) {
  if (peer_script.empty()) return "";
  const fs::path script = fs::path(peer_script).parent_path() / "peer_torch_ddp.py";
  std::error_code ec;
  return fs::exists(script, ec) ? script.string() : "";
}

// node name -> the largest peak RSS among the processes (ranks, trials) that ran there.
void AddPeakPerNode(const nlohmann::json& node, std::int64_t rss, nlohmann::json& per_node) {
  if (node.is_null() || rss <= 0) return;
  const std::string name = node.is_string() ? node.get<std::string>() : node.dump();
  per_node[name] = std::max<std::int64_t>(per_node.value(name, std::int64_t{0}), rss);
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

// Per-rank arrays of a ranked run (rank_fit_s, rank_comm_s, rank_total_s, rank_connect_s: the
// load balance), each node's sum of its ranks' peaks, and, where the ranks stamped the moment
// they joined, the time from the command to every rank joined and to every rank's data loaded.
void MergeRankTimes(const nlohmann::json& per_rank, nlohmann::json& record) {
  nlohmann::json sum_per_node = nlohmann::json::object();
  for (const char* key : {"fit_s", "comm_s", "total_s", "connect_s"}) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& rank : per_rank) {
      if (rank.contains(key)) values.push_back(rank[key]);
    }
    if (values.size() == per_rank.size()) record[std::string("rank_") + key] = values;
  }
  const double started = record.value("started_unix", 0.0);
  double joined = 0, loaded = 0;
  for (const auto& rank : per_rank) {
    const std::string node = rank.contains("node") ? rank["node"].dump() : "0";
    sum_per_node[node] =
        sum_per_node.value(node, std::int64_t{0}) + rank.value("peak_rss_bytes", std::int64_t{0});
    const double joined_unix = rank.value("joined_unix", 0.0);
    joined = std::max(joined, joined_unix);
    loaded = std::max(loaded, joined_unix + rank.value("load_s", 0.0));
  }
  record["peak_rss_sum_per_node"] = sum_per_node;
  if (started > 0 && joined > started) {
    record["time_to_all_ranks_joined_s"] = joined - started;
    record["time_to_data_loaded_s"] = loaded - started;
  }
}

}  // namespace

nlohmann::json LastJsonObject(const std::string& text) {
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t begin = text.rfind('\n', end - 1);
    begin = begin == std::string::npos ? 0 : begin + 1;
    const std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.front() == '{') {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object()) return j;
    }
    if (begin == 0) break;
    end = begin - 1;
  }
  return nullptr;
}

void MergeTrainReport(const nlohmann::json& report, nlohmann::json& record) {
  for (const char* key :
       {"accuracy", "load_s", "split_s", "fit_s", "predict_s", "comm_s", "comm_bytes", "total_s",
        "rows_train", "rows_test", "features", "classes", "peak_rss_bytes", "from_cache",
        "ddp_mode", "accuracy_per_rank", "rows_train_per_rank", "library"}) {
    if (report.contains(key)) record[key] = report[key];
  }
  for (const std::string& metric : ScalarMetricNames()) {  // logloss, roc_auc, ...
    if (report.contains(metric)) record[metric] = report[metric];
  }
  if (report.contains("per_rank") && report["per_rank"].is_array()) {
    nlohmann::json rss = nlohmann::json::array();
    nlohmann::json per_node = nlohmann::json::object();
    std::int64_t comm_bytes_total = 0;
    for (const auto& rank : report["per_rank"]) {
      const std::int64_t peak = rank.value("peak_rss_bytes", std::int64_t{0});
      rss.push_back(peak);
      // Ranks of one launch without a node field ran on this one machine.
      AddPeakPerNode(rank.contains("node") ? rank["node"] : nlohmann::json(0), peak, per_node);
      comm_bytes_total += rank.value("comm_bytes", std::int64_t{0});
    }
    record["peak_rss_per_rank"] = rss;
    record["peak_rss_per_node"] = per_node;
    MergeRankTimes(report["per_rank"], record);
    if (comm_bytes_total > 0) record["comm_bytes_total"] = comm_bytes_total;
    if (!rss.empty()) {
      std::int64_t peak = 0;
      for (const auto& r : rss) peak = std::max<std::int64_t>(peak, r.get<std::int64_t>());
      record["peak_rss_bytes"] = peak;
    }
  }
  // The time to the first result of a single run is the whole run.
  if (report.contains("total_s")) record["time_to_first_result_s"] = report["total_s"];
  // A single process has its data once its load phase ends (its start is milliseconds).
  if (!record.contains("time_to_data_loaded_s") && report.contains("load_s")) {
    record["time_to_data_loaded_s"] = report["load_s"];
  }
}

void MergeTuneSummary(const nlohmann::json& summary, double started_unix, nlohmann::json& record) {
  const double load_s = summary.value("load_s", 0.0);
  const double put_s = summary.value("put_s", 0.0);
  record["load_s"] = load_s;
  record["object_transfer_s"] = put_s;
  record["total_s"] = summary.value("total_s", 0.0);
  double accuracy = 0, fit = 0, predict = 0, trial_max = 0;
  double first_start = 0, first_finish = 0;
  std::int64_t rss = 0;
  int ok = 0;
  nlohmann::json trials = nlohmann::json::array();
  nlohmann::json trial_rss = nlohmann::json::array();  // aligned with trials
  nlohmann::json per_node = nlohmann::json::object();
  std::map<std::string, double> metric_sums;  // over the trials that define the metric
  std::map<std::string, int> metric_counts;
  for (const auto& t : summary.value("trials", nlohmann::json::array())) {
    const double started = t.value("started", 0.0), finished = t.value("finished", 0.0);
    const nlohmann::json result = t.value("result", nlohmann::json::object());
    trials.push_back({{"status", t.value("status", "")},
                      {"node", t.value("node", "")},
                      {"time_s", t.value("time_s", 0.0)},
                      {"attempts", t.value("attempts", 1)},
                      {"accuracy", t.value("accuracy", nlohmann::json())}});
    trial_rss.push_back(result.value("peak_rss_bytes", std::int64_t{0}));
    if (t.value("status", "") != "TERMINATED") continue;
    ++ok;
    accuracy += t.value("accuracy", 0.0);
    for (const std::string& metric : ScalarMetricNames()) {
      if (result.contains(metric) && result[metric].is_number()) {
        metric_sums[metric] += result[metric].get<double>();
        metric_counts[metric] += 1;
      }
    }
    fit += result.value("fit_s", 0.0);
    predict += result.value("predict_s", 0.0);
    rss = std::max<std::int64_t>(rss, result.value("peak_rss_bytes", std::int64_t{0}));
    AddPeakPerNode(t.value("node", nlohmann::json()),
                   result.value("peak_rss_bytes", std::int64_t{0}), per_node);
    trial_max = std::max(trial_max, t.value("time_s", 0.0));
    if (started > 0 && (first_start == 0 || started < first_start)) first_start = started;
    if (finished > 0 && (first_finish == 0 || finished < first_finish)) first_finish = finished;
  }
  record["trial_results"] = trials;
  record["peak_rss_per_trial"] = trial_rss;
  record["time_to_data_loaded_s"] = load_s + put_s;
  if (ok == 0) return;
  for (const auto& [metric, sum] : metric_sums) record[metric] = sum / metric_counts[metric];
  record["accuracy"] = accuracy / ok;
  record["fit_s"] = fit / ok;
  record["predict_s"] = predict / ok;
  record["trial_s"] = trial_max;
  if (rss > 0) record["peak_rss_trial_bytes"] = rss;
  if (!per_node.empty()) record["peak_rss_per_node"] = per_node;
  // Submit-to-start: the first trial's start less the moment its task could be submitted (after
  // the driver loaded and put the data). Clocks of one machine; approximate across nodes.
  if (started_unix > 0 && first_start > 0) {
    record["scheduling_s"] = std::max(0.0, first_start - started_unix - load_s - put_s);
    record["time_to_first_result_s"] = std::max(0.0, first_finish - started_unix);
    record["time_to_first_trial_running_s"] = std::max(0.0, first_start - started_unix);
  }
}

bool BenchRunner::PythonPeerAvailable(const std::string& python) {
  if (!fs::exists(python)) return false;
  ChildResult r = RunChild({python, "-c", "import sklearn, pandas, xgboost"}, 60, "");
  return r.exit_code == 0;
}

bool BenchRunner::TorchPeerAvailable(const std::string& python) {
  if (!fs::exists(python)) return false;
  ChildResult r = RunChild({python, "-c",
                            "import sys, torch.distributed as d, torch.distributed.run; "
                            "sys.exit(0 if d.is_available() and d.is_gloo_available() else 1)"},
                           120, "");
  return r.exit_code == 0;
}

double BenchRunner::TimeoutOf(const RunSpec& spec) const {
  return spec.timeout_s > 0 ? spec.timeout_s : RunTimeoutSeconds(options_, spec.engine, spec.rows);
}

BenchRunner::BenchRunner(BenchOptions options) : options_(std::move(options)) {
  if (options_.out_dir.empty()) options_.out_dir = "bench-results/" + options_.suite;
  if (options_.binary.empty()) options_.binary = fs::read_symlink("/proc/self/exe").string();
  data_dir_ = options_.data_dir;
  if (data_dir_.empty()) {
    const char* env = std::getenv("SCALEML_BENCH_DATA");
    data_dir_ = env != nullptr && *env != '\0'
                    ? std::string(env)
                    : (fs::absolute(options_.out_dir).parent_path() / "bench-datasets").string();
  }
  // Generating a dataset has no per-run limit of its own: --timeout, or generous ones.
  generate_timeout_s_ = options_.timeout_s > 0      ? options_.timeout_s
                        : options_.suite == "quick" ? 300
                                                    : 3 * 3600;
  options_.peer_script = FindPeerScript(options_.peer_script, options_.binary);
  machine_ = DescribeMachine();
  version_ = DescribeVersion();
}

std::string BenchRunner::EnsureDataset(std::int64_t rows, DataProblem problem) {
  // Keyed by every parameter that changes the bytes (BenchDataset.h).
  const BenchDataset dataset = DescribeDataset(rows, problem);
  const fs::path folder = fs::path(data_dir_) / dataset.key;
  const fs::path csv = folder / "data.csv";
  if (fs::exists(csv)) return csv.string();
  fs::create_directories(data_dir_);
  const fs::path partial = fs::path(data_dir_) / (dataset.key + ".partial");
  fs::remove_all(partial);
  fs::create_directories(partial);
  std::fprintf(stderr, "generating %lld rows (%s) into %s\n", static_cast<long long>(rows),
               ProblemName(problem), csv.c_str());
  std::vector<std::string> argv = {options_.binary, "generate"};
  argv.insert(argv.end(), dataset.generate_args.begin(), dataset.generate_args.end());
  argv.push_back("--out");
  argv.push_back((partial / "data.csv").string());
  ChildResult r = RunChild(argv, generate_timeout_s_, "");
  if (r.exit_code != 0) {
    throw Failure("scaleml generate failed for ", rows, " rows: ", TailOf(r.stderr_text, 400));
  }
  fs::remove_all(folder);
  fs::rename(partial, folder);  // whole folder at once: a cached dataset is always complete
  return csv.string();
}

std::vector<std::string> BenchRunner::CommandOf(const RunSpec& spec, const std::string& data,
                                                const std::string& storage) const {
  const std::string& exe = options_.binary;
  std::vector<std::string> argv;
  auto add_params = [&] {
    for (const auto& p : spec.params) {
      argv.push_back("--param");
      argv.push_back(p);
    }
  };
  if (spec.engine == "local") {
    argv = {exe,
            "train",
            "--algo",
            spec.algo,
            "--data",
            data,
            "--json",
            "--engine",
            "local",
            "--threads",
            std::to_string(spec.threads)};
  } else if (spec.engine == "ddp") {
    const int per_rank = std::max(1, spec.threads / spec.ranks);
    argv = {exe, "launch", "--nnodes", "1", "--node-rank", "0", "--nproc-per-node",
            std::to_string(spec.ranks), "--master-addr", "127.0.0.1", "--master-port",
            std::to_string(FreePort()),
            // In the paper's mode ranks wait for the slowest one: the run's limit is the group's.
            "--timeout", StrCat(static_cast<long long>(TimeoutOf(spec))), "--", exe, "train",
            "--engine", "ddp", "--algo", spec.algo, "--data", data, "--json", "--threads",
            std::to_string(per_rank)};
    // One-model is the default: nothing passed, so it runs with builds that lack --ddp-mode.
    if (spec.mode == "paper") {
      argv.push_back("--ddp-mode");
      argv.push_back("paper");
    }
  } else if (spec.engine == "tasks") {
    const int cpus = std::max(1, spec.threads / spec.trials);
    argv = {exe,
            "tune",
            "--algo",
            spec.algo,
            "--data",
            data,
            "--num-samples",
            std::to_string(spec.trials),
            "--cpus-per-trial",
            std::to_string(cpus),
            "--num-cpus",
            std::to_string(std::max(spec.threads, cpus * spec.trials)),
            "--storage",
            storage,
            "--threads",
            std::to_string(spec.threads)};
    // The paper's protocol: every trial trains on all its training rows (no validation part held
    // out for per-round reports).
    argv.push_back("--valid-fraction");
    argv.push_back("0");
  } else if (spec.engine == "python") {
    if (options_.peer_script.empty()) throw Failure("bench/peers/peer_train.py not found");
    argv = {options_.python, options_.peer_script,        "--algo", spec.algo, "--data", data,
            "--threads",     std::to_string(spec.threads)};
  } else if (spec.engine == "torch-ddp") {
    const std::string script = TorchPeerScript(options_.peer_script);
    if (script.empty()) throw Failure("bench/peers/peer_torch_ddp.py not found");
    const std::string per_rank = std::to_string(std::max(1, spec.threads / spec.ranks));
    // Debian's torch 1.13 under Python 3.11 needs the --redirects/--tee flags (for a local rank
    // that does not exist, so no output is redirected): without them the launcher fails.
    argv = {"/usr/bin/env",
            "OMP_NUM_THREADS=" + per_rank,
            options_.python,
            "-m",
            "torch.distributed.run",
            "--nnodes",
            "1",
            "--nproc_per_node",
            std::to_string(spec.ranks),
            "--master_addr",
            "127.0.0.1",
            "--master_port",
            std::to_string(FreePort()),
            "--redirects=9:1",
            "--tee=9:1",
            script,
            "--algo",
            spec.algo,
            "--data",
            data,
            "--threads",
            per_rank,
            "--comm-timeout",
            StrCat(static_cast<long long>(TimeoutOf(spec)))};
  } else {
    throw InputError("unknown engine ", spec.engine);
  }
  // scaleml's own runs hand their report over in a versioned file, not on stdout.
  if (spec.engine == "local" || spec.engine == "ddp") {
    argv.push_back("--report-file");
    argv.push_back(ReportFileOf(spec));
  }
  add_params();
  return argv;
}

std::string BenchRunner::ReportFileOf(const RunSpec& spec) const {
  return (fs::path(options_.out_dir) / "logs" / (spec.FileStem() + ".report.json")).string();
}

nlohmann::json BenchRunner::Execute(const RunSpec& spec) {
  nlohmann::json record = {{"run_id", spec.Id()},
                           {"suite", spec.suite},
                           {"algo", spec.algo},
                           {"engine", spec.engine},
                           {"mode", spec.mode},
                           {"size", spec.size},
                           {"problem", ProblemName(spec.problem)},
                           {"rows", spec.rows},
                           {"ranks", spec.ranks},
                           {"trials", spec.trials},
                           {"threads", spec.threads},
                           {"params", spec.params},
                           {"machine", machine_},
                           {"version", version_["version"]},
                           {"git_commit", version_["git_commit"]},
                           {"started_unix", NowUnix()},
                           {"status", StatusName(RunStatus::kFailed)},
                           {"error", ""}};
  if (!spec.skip_reason.empty()) {
    record["status"] = StatusName(RunStatus::kSkipped);
    record["error"] = spec.skip_reason;
    record["timeout_s"] = TimeoutOf(spec);  // the limit it would have had
    return record;
  }
  try {
    const std::string data = EnsureDataset(spec.rows, spec.problem);
    const fs::path logs = fs::path(options_.out_dir) / "logs";
    fs::create_directories(logs);
    const std::string storage = (fs::path(options_.out_dir) / "tune" / spec.FileStem()).string();
    if (spec.engine == "tasks") fs::remove_all(storage);
    fs::remove(ReportFileOf(spec));  // a report left by an earlier run is not this run's
    const auto argv = CommandOf(spec, data, storage);
    record["command"] = Join(argv, " ");
    record["csv_bytes"] = static_cast<std::int64_t>(fs::file_size(data));
    if (spec.mode == "fault") {
      const FaultPlan plan = FaultPlanOf(spec, argv, (logs / spec.FileStem()).string(), storage);
      record["command"] = Join(plan.argv, " ");
      record["timeout_s"] = plan.timeout_s;
      RunFault(plan, record);
      return record;
    }
    const double started = NowUnix();
    record["started_unix"] = started;
    const double timeout_s = TimeoutOf(spec);
    record["timeout_s"] = timeout_s;
    const std::int64_t oom_kills_before = OomKillCount();
    ChildResult r = RunChild(argv, timeout_s, (logs / spec.FileStem()).string());
    record["wall_s"] = r.wall_s;
    record["peak_rss_bytes"] = r.peak_rss_bytes;
    if (r.machine_peak_rss_bytes > 0) {
      record["peak_rss_machine_bytes"] = r.machine_peak_rss_bytes;
      record["peak_processes_machine"] = r.machine_peak_processes;
    }
    if (r.timed_out) {
      record["status"] = StatusName(RunStatus::kTimedOut);
      record["error"] = StrCat("timed out after ", timeout_s, " s");
      return record;
    }
    if (r.exit_code != 0) {
      if (RanOutOfMemory(r, OomKillCount() > oom_kills_before)) {
        record["status"] = StatusName(RunStatus::kOutOfMemory);
      }
      std::string why = TailOf(r.stderr_text, 600);
      record["error"] = StrCat(
          r.signal != 0 ? StrCat("killed by signal ", r.signal) : StrCat("exit code ", r.exit_code),
          why.empty() ? "" : ": ", why);
      return record;
    }
    if (spec.engine == "tasks") {
      const std::string summary_path = storage + "/summary.json";
      auto summary = nlohmann::json::parse(ReadWholeFile(summary_path), nullptr, false);
      if (summary.is_discarded()) throw Failure(summary_path, ": not valid JSON");
      MergeTuneSummary(summary, started, record);
    } else if (spec.engine == "local" || spec.engine == "ddp") {
      // scaleml's own runs: the versioned record of --report-file, never their stdout.
      const TrainReport report = ReadTrainReportFile(ReportFileOf(spec));
      const std::string mode = report.ddp_mode ? DdpModeName(*report.ddp_mode) : "";
      if (spec.engine == "ddp" && mode != spec.mode) {
        throw Failure("asked for ddp mode '", spec.mode, "', the ranks report '", mode, "'");
      }
      MergeTrainReport(report.ToJson(), record);
    } else {  // a peer's script prints its report as the last JSON line of stdout
      nlohmann::json report = LastJsonObject(r.stdout_text);
      if (report.is_null()) throw Failure("no JSON report on stdout");
      MergeTrainReport(report, record);
    }
    if (!record.contains("accuracy")) throw Failure("the run reported no accuracy");
    record["status"] = StatusName(RunStatus::kOk);
  } catch (const std::exception& e) {
    record["status"] = StatusName(RunStatus::kFailed);
    record["error"] = e.what();
  }
  return record;
}

std::vector<nlohmann::json> BenchRunner::EarlierRecords(
    const std::vector<nlohmann::json>& own) const {
  std::vector<nlohmann::json> records;
  for (const auto& given : options_.peer_history) {
    const fs::path path =
        fs::is_directory(given) ? fs::path(given) / "results.jsonl" : fs::path(given);
    if (!fs::exists(path)) {
      throw InputError("--peer-history: ", path.string(),
                       ": no such file (give a results.jsonl or the folder of a bench run)");
    }
    for (auto& r : ResultsFile(path.string()).ReadAll()) records.push_back(std::move(r));
  }
  records.insert(records.end(), own.begin(), own.end());
  return records;
}

double BenchRunner::ExpectedSeconds(const RunSpec& spec) const {
  // The same run without the fault, when this folder has it (the paper suite's record).
  const ResultsFile results((fs::path(options_.out_dir) / "results.jsonl").string());
  double expected = 0;
  for (const auto& r : results.ReadAll()) {
    if (r.value("status", "") == "ok" && !r.contains("fault") && r.value("algo", "") == spec.algo &&
        r.value("size", "") == spec.size && r.value("engine", "") == spec.engine &&
        r.value("mode", "") != "paper" && r.value("ranks", 0) == spec.ranks &&
        r.value("trials", 0) == spec.trials) {
      expected = r.value("total_s", 0.0);
    }
  }
  // Otherwise a guess from the rows: about 2 s per million rows on 2 cores, and start-up.
  return expected > 0 ? expected : 2.0 + 2.0 * static_cast<double>(spec.rows) / 1e6;
}

FaultPlan BenchRunner::FaultPlanOf(const RunSpec& spec, const std::vector<std::string>& argv,
                                   const std::string& log_stem, const std::string& storage) const {
  FaultPlan plan;
  plan.engine = spec.engine;
  plan.algo = spec.algo;
  plan.argv = argv;
  if (spec.engine == "tasks") {
    // A trial whose worker died is retried once (tune's default is not to retry).
    plan.argv.push_back("--max-failures");
    plan.argv.push_back("1");
  }
  plan.log_stem = log_stem;
  plan.storage = storage;
  plan.kill_after_s = kFaultFraction * ExpectedSeconds(spec);
  plan.timeout_s = TimeoutOf(spec);
  return plan;
}

SuiteSummary BenchRunner::Run() {
  Stopwatch clock;
  fs::create_directories(options_.out_dir);
  ResultsFile results((fs::path(options_.out_dir) / "results.jsonl").string());
  AvailablePeers peers;
  const bool want_peers =
      !options_.no_peers && options_.suite != "scaling" && options_.suite != "promises";
  peers.python =
      want_peers && !options_.peer_script.empty() && PythonPeerAvailable(options_.python);
  if (want_peers && !peers.python) {
    std::fprintf(stderr,
                 "python peer: %s with scikit-learn, pandas and xgboost (and peer_train.py) not "
                 "found: running scaleml only\n",
                 options_.python.c_str());
  }
  peers.torch = peers.python && options_.suite == "paper" &&
                !TorchPeerScript(options_.peer_script).empty() &&
                TorchPeerAvailable(options_.python);
  if (peers.python && options_.suite == "paper" && !peers.torch) {
    std::fprintf(stderr,
                 "torch-ddp peer: %s without torch.distributed (gloo) or peer_torch_ddp.py: the "
                 "paper's PyTorch pipeline is not run\n",
                 options_.python.c_str());
  }
  const auto plan = PlanSuite(options_, peers, static_cast<int>(machine_.value("cores", 1)));
  const auto finished = options_.resume ? results.FinishedIds() : std::set<std::string>{};
  std::vector<nlohmann::json> earlier = EarlierRecords(results.ReadAll());
  SuiteSummary summary;
  summary.planned = static_cast<int>(plan.size());
  int index = 0;
  for (const auto& spec : plan) {
    ++index;
    if (finished.count(spec.Id()) > 0) {
      ++summary.resumed;
      std::fprintf(stderr, "[%d/%zu] %s: done before (--resume)\n", index, plan.size(),
                   spec.Id().c_str());
      continue;
    }
    std::fprintf(stderr, "[%d/%zu] %s ... (%zu left, %.0f s elapsed)\n", index, plan.size(),
                 spec.Id().c_str(), plan.size() - index, clock.Seconds());
    // A peer out of time or memory at a smaller size is recorded as skipped at once.
    RunSpec to_run = spec;
    const std::optional<PeerSkip> skip = PeerSkipFor(spec, earlier);
    if (skip) to_run.skip_reason = skip->reason;
    nlohmann::json record = Execute(to_run);
    if (skip) record["skip_cause"] = skip->cause;
    record["finished_unix"] = NowUnix();
    results.Append(record);
    earlier.push_back(record);
    ++summary.ran;
    const std::string error = record.value("error", "");
    switch (StatusOf(record)) {
      case RunStatus::kOk:
        ++summary.ok;
        if (record.contains("fault")) {
          std::fprintf(stderr, "      ok: %s, detected after %.2f s\n",
                       record["fault"].value("outcome", "").c_str(),
                       record["fault"].value("detect_s", 0.0));
        } else {
          std::fprintf(stderr, "      ok: accuracy %.4f, %.2f s\n", record.value("accuracy", 0.0),
                       record.value("wall_s", 0.0));
        }
        break;
      case RunStatus::kSkipped:
        ++summary.skipped;
        std::fprintf(stderr, "      skipped: %s\n", error.c_str());
        break;
      case RunStatus::kTimedOut:
        ++summary.timed_out;
        std::fprintf(stderr, "      timeout: %s\n", error.c_str());
        break;
      case RunStatus::kOutOfMemory:
        ++summary.out_of_memory;
        std::fprintf(stderr, "      out of memory: %s\n", error.c_str());
        break;
      case RunStatus::kFailed:
        ++summary.failed;
        std::fprintf(stderr, "      FAILED: %s\n", error.c_str());
        break;
    }
  }
  summary.wall_s = clock.Seconds();
  return summary;
}

}  // namespace scaleml::bench
