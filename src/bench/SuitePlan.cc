#include "bench/SuitePlan.h"

#include <algorithm>
#include <cctype>

#include "core/Error.h"

namespace scaleml::bench {
namespace {

bool Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

RunSpec Base(const BenchOptions& options, const std::string& algo, const std::string& size,
             int threads) {
  RunSpec spec;
  spec.suite = options.suite;
  spec.algo = algo;
  spec.size = size;
  spec.rows = RowsOfSize(size);
  spec.problem = options.problem;
  spec.threads = threads;
  spec.params = PaperParams(algo);
  return spec;
}

}  // namespace

std::int64_t RowsOfSize(const std::string& label) {
  std::size_t digits = 0;
  while (digits < label.size() &&
         (std::isdigit(static_cast<unsigned char>(label[digits])) || label[digits] == '.')) {
    ++digits;
  }
  std::string unit = label.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double number = 0;
  try {
    number = digits > 0 ? std::stod(label.substr(0, digits)) : -1;
  } catch (const std::exception&) {
    number = -1;
  }
  double rows_per_unit = 0;
  if (unit.empty()) rows_per_unit = 1;
  if (unit == "K") rows_per_unit = 1e3;
  if (unit == "M") rows_per_unit = 1e6;
  // The paper's "1GB" file holds 5,000,000 rows of 10 features.
  if (unit == "GB") rows_per_unit = 5e6;
  if (unit == "MB") rows_per_unit = 5e3;
  const double rows = number * rows_per_unit;
  if (number <= 0 || rows_per_unit == 0 || rows < 100) {
    throw InputError("--sizes: '", label,
                     "' is not a size (1GB, 500MB, 100k, 2M or a row count of at least 100)");
  }
  return static_cast<std::int64_t>(rows + 0.5);
}

const std::vector<std::string>& AllAlgorithms() {
  static const std::vector<std::string> algos = {"gbdt", "xgboost", "logreg", "rf", "knn"};
  return algos;
}

std::vector<std::string> PaperParams(const std::string& algo) {
  if (algo == "rf") return {"n_estimators=10"};
  return {};
}

double RunTimeoutSeconds(const BenchOptions& options, const std::string& engine,
                         std::int64_t rows) {
  const bool peer = engine == "python" || engine == "torch-ddp";
  if (peer && options.peer_timeout_s > 0) return options.peer_timeout_s;
  if (options.timeout_s > 0) return options.timeout_s;
  if (options.suite == "quick") return 300;
  // On 2 cores at 5,000,000 rows scaleml's slowest run takes under a minute and the peers' about
  // 3 minutes (docs/benchmarks.md): these limits leave 3-5x for a busy machine and still stop a
  // run that hangs long before the suite's budget is gone.
  const double per_million_rows = peer ? 90 : 30;
  return 120 + per_million_rows * static_cast<double>(rows) / 1e6;
}

std::vector<RunSpec> PlanSuite(const BenchOptions& options, const AvailablePeers& peers,
                               int hardware_threads) {
  const std::string& suite = options.suite;
  if (suite != "quick" && suite != "paper" && suite != "scaling" && suite != "promises") {
    throw InputError("--suite: '", suite, "' is not a suite (quick, paper, scaling or promises)");
  }
  std::vector<std::string> engines = options.engines;
  if (engines.empty()) engines = {"local", "tasks", "ddp"};
  for (const auto& e : engines) {
    if (e != "local" && e != "tasks" && e != "ddp") {
      throw InputError("--engines: '", e, "' is not an engine (local, tasks or ddp)");
    }
  }
  std::vector<std::string> algos = options.algos;
  if (algos.empty())
    algos = suite == "promises" ? std::vector<std::string>{"gbdt"} : AllAlgorithms();
  for (auto& a : algos) {
    if (a == "lightgbm") a = "gbdt";
    if (!Has(AllAlgorithms(), a)) {
      throw InputError("--algos: '", a, "' is not an algorithm (gbdt, xgboost, logreg, rf, knn)");
    }
  }
  std::vector<std::string> sizes = options.sizes;
  if (sizes.empty())
    sizes = suite == "paper"      ? std::vector<std::string>{"1GB", "2GB"}
            : suite == "promises" ? std::vector<std::string>{"1GB"}
                                  : std::vector<std::string>{"100k"};
  const int threads = options.threads > 0 ? options.threads : std::max(1, hardware_threads);
  const int ranks =
      options.ranks > 0 ? options.ranks : (suite == "paper" || suite == "promises" ? 3 : 2);
  const int trials = std::max(1, options.trials);
  const int max_ranks = options.max_ranks > 0 ? options.max_ranks : std::max(2, hardware_threads);

  std::vector<RunSpec> plan;
  for (const auto& size : sizes) {
    for (const auto& algo : algos) {
      if (suite == "promises") {
        // Fault runs (FaultRun.h): the paper suite's ddp and tasks runs with a process killed.
        if (Has(engines, "ddp")) {
          RunSpec spec = Base(options, algo, size, threads);
          spec.engine = "ddp";
          spec.mode = "fault";
          spec.ranks = std::max(2, ranks);
          plan.push_back(spec);
        }
        if (Has(engines, "tasks")) {
          RunSpec spec = Base(options, algo, size, threads);
          spec.engine = "tasks";
          spec.mode = "fault";
          spec.trials = trials;
          plan.push_back(spec);
        }
        continue;
      }
      if (suite == "scaling") {
        for (int n = 1; n <= max_ranks; ++n) {
          if (Has(engines, "ddp")) {
            RunSpec spec = Base(options, algo, size, threads);
            spec.engine = "ddp";
            spec.mode = "one-model";
            spec.ranks = n;
            plan.push_back(spec);
          }
          if (Has(engines, "tasks")) {
            RunSpec spec = Base(options, algo, size, threads);
            spec.engine = "tasks";
            spec.trials = n;
            plan.push_back(spec);
          }
        }
        continue;
      }
      if (Has(engines, "local")) {
        RunSpec spec = Base(options, algo, size, threads);
        spec.engine = "local";
        plan.push_back(spec);
      }
      if (Has(engines, "tasks")) {
        RunSpec spec = Base(options, algo, size, threads);
        spec.engine = "tasks";
        spec.trials = trials;
        plan.push_back(spec);
      }
      if (Has(engines, "ddp")) {
        RunSpec spec = Base(options, algo, size, threads);
        spec.engine = "ddp";
        spec.mode = "one-model";
        spec.ranks = ranks;
        plan.push_back(spec);
        if (suite == "paper") {
          // The paper's mode: every rank trains its own model on its share of the rows.
          spec.mode = "paper";
          plan.push_back(spec);
        }
      }
      if (!options.no_peers && peers.python) {
        RunSpec spec = Base(options, algo, size, threads);
        spec.engine = "python";
        plan.push_back(spec);
      }
      // The paper's PyTorch pipeline: the peer of the ddp engine's paper mode.
      if (suite == "paper" && !options.no_peers && peers.torch && Has(engines, "ddp")) {
        RunSpec spec = Base(options, algo, size, threads);
        spec.engine = "torch-ddp";
        spec.ranks = ranks;
        plan.push_back(spec);
      }
    }
  }
  for (auto& spec : plan) spec.timeout_s = RunTimeoutSeconds(options, spec.engine, spec.rows);
  return plan;
}

}  // namespace scaleml::bench
