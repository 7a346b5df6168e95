// Turns the options of `scaleml bench` into the list of runs of a suite. Pure: no process is
// started, so the plans can be tested. Thread-safety: functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/BenchOptions.h"
#include "bench/RunSpec.h"

namespace scaleml::bench {

// Rows of a size label: "1GB" = 5,000,000 rows (the paper's file), "500MB" = 2,500,000,
// "100k" = 100,000, "20000" = 20,000. InputError naming --sizes otherwise.
std::int64_t RowsOfSize(const std::string& label);

// The five algorithms in the paper's order.
const std::vector<std::string>& AllAlgorithms();

// The paper's hyperparameters of an algorithm, as name=value (library defaults except the random
// forest's 10 trees).
std::vector<std::string> PaperParams(const std::string& algo);

// Which Python peers can run here.
struct AvailablePeers {
  bool python = false;  // peer_train.py: pandas, scikit-learn, XGBoost
  bool torch = false;   // peer_torch_ddp.py under torchrun: the above and torch.distributed gloo
};

// Seconds a run may take before it is killed: for a Python or torch-ddp peer --peer-timeout when
// given; otherwise --timeout when given; otherwise quick 300 s, and for
// the other suites a limit that grows with the rows and is wider for the Python peers (pandas
// parsing, scikit-learn's forest and neighbours) than for scaleml's engines.
double RunTimeoutSeconds(const BenchOptions& options, const std::string& engine, std::int64_t rows);

// The runs of options.suite. `hardware_threads`: this machine's cores (the default of threads and
// max_ranks).
std::vector<RunSpec> PlanSuite(const BenchOptions& options, const AvailablePeers& peers,
                               int hardware_threads);

}  // namespace scaleml::bench
