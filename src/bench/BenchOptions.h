// What `scaleml bench` was asked to do. Thread-safety: a plain value.
#pragma once

#include <string>
#include <vector>

#include "bench/DataProblem.h"

namespace scaleml::bench {

struct BenchOptions {
  std::string suite = "quick";  // quick, paper or scaling
  std::string out_dir;
  std::vector<std::string> engines;  // empty: local, tasks, ddp
  std::vector<std::string> algos;    // empty: all five
  std::vector<std::string> sizes;    // empty: the suite's default ("100k"; paper: 1GB,2GB)
  int threads = 0;                   // 0: every core
  int ranks = 0;                     // ddp ranks (0: the suite's: quick 2, paper 3)
  int trials = 2;                    // tasks trials (the paper: 2 of the default config)
  int max_ranks = 0;                 // scaling: ranks and trials 1..max_ranks (0: cores, >= 2)
  bool resume = false;
  bool no_peers = false;
  bool no_report = false;
  double timeout_s = 0;       // per run; 0: the suite's (RunTimeoutSeconds)
  double peer_timeout_s = 0;  // per Python or torch-ddp peer run; 0: as timeout_s
  // Earlier results.jsonl files (or bench folders) whose peer timeouts and out-of-memory runs
  // also count for the skip rule (PeerSkipRule.h), besides DIR/results.jsonl.
  std::vector<std::string> peer_history;
  DataProblem problem = DataProblem::kPerChunk;  // --problem
  std::string data_dir;     // cached datasets; empty: $SCALEML_BENCH_DATA or DIR/../bench-datasets
  std::string binary;       // scaleml itself; empty: /proc/self/exe
  std::string peer_script;  // bench/peers/peer_train.py; empty: found beside the sources
  std::string python = "/usr/bin/python3";
};

}  // namespace scaleml::bench
