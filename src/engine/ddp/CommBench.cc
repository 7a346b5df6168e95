#include "engine/ddp/CommBench.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Stopwatch.h"

namespace scaleml {

const char* CollectiveOpName(CollectiveOp op) {
  return op == CollectiveOp::kAllgather ? "allgather" : "allreduce";
}

CollectiveOp ParseCollectiveOp(const std::string& name) {
  if (name == "allreduce") return CollectiveOp::kAllreduce;
  if (name == "allgather") return CollectiveOp::kAllgather;
  throw InputError("commbench: --ops ", name, " is unknown: use allreduce and/or allgather");
}

std::vector<std::size_t> DefaultCommBenchSizes() {
  std::vector<std::size_t> sizes;
  for (std::size_t bytes = 8; bytes <= (std::size_t{32} << 20); bytes *= 4) sizes.push_back(bytes);
  sizes.push_back(std::size_t{64} << 20);
  return sizes;
}

std::size_t ParseByteSize(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, value);
  const std::string suffix(rest, end);
  int shift = -1;
  if (suffix.empty() || suffix == "B") shift = 0;
  if (suffix == "K" || suffix == "KiB") shift = 10;
  if (suffix == "M" || suffix == "MiB") shift = 20;
  if (suffix == "G" || suffix == "GiB") shift = 30;
  if (ec != std::errc() || rest == text.data() || shift < 0 || value == 0 ||
      value > (std::uint64_t{1} << (40 - shift))) {
    throw InputError("commbench: --sizes ", text,
                     " is not a size: use a byte count from 1 to 1TiB, optionally with KiB, MiB "
                     "or GiB (8,40816,64KiB,64MiB)");
  }
  return static_cast<std::size_t>(value << shift);
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p of the values at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

namespace {

// One run of the operation on buffers sized for it.
class CollectiveRun {
 public:
  CollectiveRun(Comm& comm, CollectiveOp op, std::size_t bytes) : comm_(comm), op_(op) {
    if (op == CollectiveOp::kAllreduce) {
      floats_.assign(std::max<std::size_t>(1, bytes / sizeof(float)), 1.0f);
      bytes_ = floats_.size() * sizeof(float);
    } else {
      in_.assign(bytes, std::byte{7});
      out_.resize(bytes * static_cast<std::size_t>(comm.size()));
      bytes_ = bytes;
    }
  }

  std::size_t bytes() const { return bytes_; }

  void Once() {
    if (op_ == CollectiveOp::kAllreduce) {
      // Max rather than sum: the same work per element, and the values stay 1 however many
      // repeats run (sums would grow to infinity).
      ThrowIfFailed(
          comm_,
          comm_.AllreduceBytes(floats_.data(), floats_.size(), DataType::kFloat32, ReduceOp::kMax),
          "allreduce");
    } else {
      ThrowIfFailed(comm_, comm_.AllgatherBytes(in_.data(), in_.size(), out_.data()), "allgather");
    }
  }

 private:
  Comm& comm_;
  CollectiveOp op_;
  std::size_t bytes_ = 0;
  std::vector<float> floats_;
  std::vector<std::byte> in_, out_;
};

// The slowest rank's time, the same on every rank.
double SlowestRank(Comm& comm, double seconds) {
  return AllreduceValue(comm, seconds, ReduceOp::kMax);
}

CollectiveLatency MeasureOne(Comm& comm, CollectiveOp op, std::size_t bytes,
                             const CommBenchOptions& options) {
  CollectiveRun run(comm, op, bytes);
  Barrier(comm);
  Stopwatch watch;
  run.Once();  // warm-up: connections, buffers, page faults
  const double warm_up_s = SlowestRank(comm, watch.Seconds());
  int repeats = options.repeats;
  if (warm_up_s > 0.0 && warm_up_s * repeats > options.seconds_per_size) {
    repeats = static_cast<int>(options.seconds_per_size / warm_up_s);
  }
  repeats = std::max(repeats, std::min(options.min_repeats, options.repeats));
  repeats = std::max(repeats, 1);

  std::vector<double> mine(static_cast<std::size_t>(repeats));
  for (double& seconds : mine) {
    Barrier(comm);
    watch.Restart();
    run.Once();
    seconds = watch.Seconds();
  }
  // Every repeat's slowest rank, in one collective after the timed ones.
  Allreduce(comm, std::span<double>(mine), ReduceOp::kMax);

  CollectiveLatency latency;
  latency.op = op;
  latency.ranks = comm.size();
  latency.bytes = run.bytes();
  latency.repeats = repeats;
  latency.median_s = Percentile(mine, 0.5);
  latency.p95_s = Percentile(mine, 0.95);
  latency.min_s = *std::min_element(mine.begin(), mine.end());
  return latency;
}

}  // namespace

std::vector<CollectiveLatency> MeasureCollectiveLatency(Comm& comm,
                                                        const CommBenchOptions& options) {
  if (options.sizes.empty() || options.ops.empty() || options.repeats < 1) {
    throw InputError("commbench: nothing to measure (give --sizes, --ops and --repeats >= 1)");
  }
  std::vector<CollectiveLatency> results;
  for (CollectiveOp op : options.ops) {
    for (std::size_t bytes : options.sizes) results.push_back(MeasureOne(comm, op, bytes, options));
  }
  return results;
}

nlohmann::json CollectiveLatencyJson(const CollectiveLatency& latency,
                                     const std::string& transport) {
  return {{"kind", "collective_latency"}, {"transport", transport},
          {"ranks", latency.ranks},       {"op", CollectiveOpName(latency.op)},
          {"bytes", latency.bytes},       {"median_s", latency.median_s},
          {"p95_s", latency.p95_s},       {"min_s", latency.min_s},
          {"repeats", latency.repeats}};
}

}  // namespace scaleml
