// `scaleml commbench`'s measurement: the latency of the group's collectives by message size, on
// whatever Comm the ranks formed (the ddp engine's TcpMeshComm over Gloo under `scaleml launch`,
// ThreadComm in tests). Every rank times every repeat of an operation between two barriers; a
// repeat's latency is the slowest rank's (the group is as late as its last member), and the
// median and 95th percentile are taken over the repeats. The numbers feed the alpha-beta model of
// docs/scaling.md (bench/scaling_estimate.py --network).
// Thread-safety: as Comm (the rank's thread); every rank calls with the same options.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "comm/Comm.h"

namespace scaleml {

enum class CollectiveOp { kAllreduce, kAllgather };
const char* CollectiveOpName(CollectiveOp op);
// "allreduce" or "allgather"; an InputError naming --ops otherwise.
CollectiveOp ParseCollectiveOp(const std::string& name);

struct CommBenchOptions {
  std::vector<CollectiveOp> ops = {CollectiveOp::kAllreduce};
  // Allreduce: the buffer every rank reduces (float32, so rounded down to a multiple of 4 and at
  // least 4). Allgather: what every rank contributes.
  std::vector<std::size_t> sizes;
  int repeats = 30;               // timed repeats per size, after one untimed warm-up
  int min_repeats = 5;            // at least this many, whatever the time budget
  double seconds_per_size = 2.0;  // fewer repeats than `repeats` when the warm-up says so
};

// The sizes measured by default: 8 B, then x4 up to 32 MiB, and 64 MiB.
std::vector<std::size_t> DefaultCommBenchSizes();

// "8", "40816", "64KiB", "64MiB", "1GiB" (K/M/G also taken as powers of 1024); an InputError
// naming --sizes for anything else or for 0.
std::size_t ParseByteSize(const std::string& text);

struct CollectiveLatency {
  CollectiveOp op = CollectiveOp::kAllreduce;
  int ranks = 1;
  std::size_t bytes = 0;  // as measured (allreduce sizes rounded to whole floats)
  int repeats = 0;
  double median_s = 0.0;
  double p95_s = 0.0;
  double min_s = 0.0;
};

// Runs every op at every size; the same results on every rank. Throws a Failure when the group
// fails.
std::vector<CollectiveLatency> MeasureCollectiveLatency(Comm& comm,
                                                        const CommBenchOptions& options);

// network.jsonl's record: {"kind":"collective_latency","transport":...,"ranks":N,"op":...,
// "bytes":B,"median_s":x,"p95_s":y,...}.
nlohmann::json CollectiveLatencyJson(const CollectiveLatency& latency,
                                     const std::string& transport);

// The p-th percentile (0..1) of `values`, nearest rank on the sorted values; 0 when empty.
double Percentile(std::vector<double> values, double p);

}  // namespace scaleml
