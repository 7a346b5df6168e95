// `scaleml commbench`: one rank of a group started by `scaleml launch` (or torchrun, mpirun,
// srun) that times the group's collectives by message size over the ddp engine's own transport
// and appends one JSON line per op and size to --out (rank 0 writes; the others only take part).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/CommBenchCommand.h"
#include "cli/OptionChecks.h"
#include "comm/CommOps.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "engine/ddp/CommBench.h"
#include "engine/ddp/GlooCommLoader.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml::cli {
namespace {

struct CommBenchFlags {
  std::vector<std::string> ops = {"allreduce"};
  std::vector<std::string> sizes;
  int repeats = 30;
  double seconds_per_size = 2.0;
  std::string transport = "loopback";
  std::string out;
};

CommBenchOptions ToOptions(const CommBenchFlags& flags) {
  CommBenchOptions options;
  options.ops.clear();
  for (const auto& op : flags.ops) options.ops.push_back(ParseCollectiveOp(op));
  options.sizes = DefaultCommBenchSizes();
  if (!flags.sizes.empty()) {
    options.sizes.clear();
    for (const auto& size : flags.sizes) options.sizes.push_back(ParseByteSize(size));
  }
  options.repeats = flags.repeats;
  options.seconds_per_size = flags.seconds_per_size;
  return options;
}

// Appends the records to `path` as a whole new file (the old lines, then these), renamed over it.
void AppendRecords(const std::string& path, const std::vector<CollectiveLatency>& results,
                   const std::string& transport) {
  std::string text;
  if (std::filesystem::exists(path)) {
    text = ReadWholeFile(path);
    if (!text.empty() && text.back() != '\n') text += '\n';
  }
  for (const auto& latency : results)
    text += CollectiveLatencyJson(latency, transport).dump() + "\n";
  WriteFileAtomically(path, text);
}

void Run(const CommBenchFlags& flags) {
  const CommBenchOptions options = ToOptions(flags);  // bad flags fail before the group forms
  const RankEnvironment env = RankEnvironment::FromEnvironment();
  std::unique_ptr<Comm> comm =
      ConnectGlooComm({env.master_addr, env.master_port, env.rank, env.world_size,
                       env.comm_timeout_s, "", env.agent_store, env.attempt, env.token});
  const std::vector<CollectiveLatency> results = MeasureCollectiveLatency(*comm, options);
  if (env.rank == 0) {
    for (const auto& latency : results) {
      std::printf("%-9s %3d ranks %11zu bytes: median %10.1f us, p95 %10.1f us (%d repeats)\n",
                  CollectiveOpName(latency.op), latency.ranks, latency.bytes,
                  latency.median_s * 1e6, latency.p95_s * 1e6, latency.repeats);
    }
    if (!flags.out.empty()) AppendRecords(flags.out, results, flags.transport);
  }
  Barrier(*comm);  // nobody closes its connections while a peer may still be reading
}

}  // namespace

void RegisterCommBench(CLI::App& app) {
  auto flags = std::make_shared<CommBenchFlags>();
  auto* command = app.add_subcommand(
      "commbench",
      "One rank of a ddp group (run it under scaleml launch) that times allreduce/allgather by "
      "message size over the engine's transport: median and p95 of the slowest rank per repeat");
  command->add_option("--ops", flags->ops, "allreduce,allgather")
      ->delimiter(',')
      ->capture_default_str();
  command
      ->add_option("--sizes", flags->sizes,
                   "Bytes per rank: 8,40816,64KiB,64MiB (default 8 B, x4 up to 32 MiB, 64 MiB)")
      ->delimiter(',');
  command->add_option("--repeats", flags->repeats, "Timed repeats per size (after a warm-up)")
      ->check(CountIn(1, 1000000))
      ->capture_default_str();
  command
      ->add_option("--seconds-per-size", flags->seconds_per_size,
                   "Fewer repeats (at least 5) where the warm-up says they would take longer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--transport", flags->transport,
                   "How the ranks are connected, written to each record")
      ->check(CLI::IsMember({"loopback", "namespaces", "network"}))
      ->capture_default_str();
  command->add_option("--out", flags->out,
                      "Append one JSON line per op and size here (rank 0; network.jsonl)");
  command->callback([flags] { Run(*flags); });
}

}  // namespace scaleml::cli
