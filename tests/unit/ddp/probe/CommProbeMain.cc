// A rank of a Gloo process group for tests: reads the torchrun environment (as set by the unit
// tests or by `scaleml launch`), forms the group through the ddp engine's loader and runs one
// scenario. Exit codes: 0 every check passed, 1 a wrong result, 3 a communication failure
// (message on stderr), 2 bad usage.
//   comm_probe ops               every operation against its expected result
//   comm_probe die RANK [MARK]   RANK kills itself mid-run; the others must fail naming it
//                                (MARK: ignored, tags the processes for pgrep)
//   comm_probe stall RANK        RANK stops answering; the others must time out
//   comm_probe connect           form the group, print seconds taken, leave
//   comm_probe bench BYTES REPS  allreduce throughput of a float buffer
//   comm_probe ops-on-retry      under torchrun --max_restarts: in the first attempt rank 1 leaves
//                                once the group has formed (the others fail); later attempts
//                                run `ops` on the same agent store
#include <signal.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "engine/ddp/GlooCommLoader.h"
#include "engine/ddp/RankEnvironment.h"

namespace {

using scaleml::Comm;
using scaleml::DataType;
using scaleml::ReduceOp;

int failures = 0;

void Check(bool ok, int rank, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "comm_probe rank %d: wrong result: %s\n", rank, what);
    ++failures;
  }
}

void Must(const scaleml::Status& status, const Comm& comm, const char* what) {
  scaleml::ThrowIfFailed(comm, status, what);
}

template <class T>
void CheckAllreduce(Comm& comm, DataType type, T base, const char* name) {
  const int n = comm.size();
  const int me = comm.rank();
  const std::size_t count = 1000;
  for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
    std::vector<T> data(count);
    for (std::size_t i = 0; i < count; ++i) data[i] = base + static_cast<T>(me * 3 + i % 7);
    Must(comm.AllreduceBytes(data.data(), count, type, op), comm, "allreduce");
    bool ok = true;
    for (std::size_t i = 0; i < count; ++i) {
      T expected{};
      if (op == ReduceOp::kSum) {
        for (int r = 0; r < n; ++r) expected += base + static_cast<T>(r * 3 + i % 7);
      } else if (op == ReduceOp::kMin) {
        expected = base + static_cast<T>(i % 7);
      } else {
        expected = base + static_cast<T>((n - 1) * 3 + i % 7);
      }
      ok = ok && data[i] == expected;
    }
    std::string what = std::string("allreduce ") + name + " " + scaleml::ReduceOpName(op);
    Check(ok, me, what.c_str());
  }
}

int RunOps(Comm& comm) {
  const int n = comm.size();
  const int me = comm.rank();
  CheckAllreduce<float>(comm, DataType::kFloat32, 0.5f, "float32");
  CheckAllreduce<double>(comm, DataType::kFloat64, -2.25, "float64");
  CheckAllreduce<std::int32_t>(comm, DataType::kInt32, -100, "int32");
  CheckAllreduce<std::int64_t>(comm, DataType::kInt64, std::int64_t{1} << 40, "int64");
  // Above 2^63, so a signed comparison would order them wrongly.
  CheckAllreduce<std::uint64_t>(comm, DataType::kUInt64, std::uint64_t{1} << 63, "uint64");

  // A large buffer: Gloo splits it into chunks on the ring.
  std::vector<float> big(1 << 20);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<float>((i % 1024) + me);
  scaleml::AllreduceSum(comm, std::span<float>(big));
  bool big_ok = true;
  for (std::size_t i = 0; i < big.size(); ++i) {
    big_ok = big_ok && big[i] == static_cast<float>(n * (i % 1024) + n * (n - 1) / 2);
  }
  Check(big_ok, me, "allreduce of 4 MiB");

  // Reduce-scatter: uneven blocks, rank 1's empty; rank r's element i is (r + 1) * 1000 + i.
  {
    std::vector<std::size_t> counts(n);
    for (int r = 0; r < n; ++r) counts[r] = r == 1 ? 0 : std::size_t(3 * r + 2);
    std::size_t total = 0, offset = 0;
    for (int r = 0; r < n; ++r) {
      if (r == me) offset = total;
      total += counts[r];
    }
    std::vector<std::int64_t> send(total), recv(counts[me], -1);
    for (std::size_t i = 0; i < total; ++i) send[i] = (me + 1) * 1000 + std::int64_t(i);
    scaleml::ReduceScatterSum(comm, std::span<const std::int64_t>(send),
                              std::span<std::int64_t>(recv), std::span<const std::size_t>(counts));
    bool ok = true;
    for (std::size_t i = 0; i < recv.size(); ++i) {
      ok = ok && recv[i] == std::int64_t(n * (n + 1) / 2) * 1000 + n * std::int64_t(offset + i);
    }
    Check(ok, me, "reduce-scatter");
  }

  std::vector<std::uint8_t> mine = {static_cast<std::uint8_t>(me),
                                    static_cast<std::uint8_t>(me + 100), 7};
  std::vector<std::uint8_t> all(mine.size() * n);
  Must(comm.AllgatherBytes(mine.data(), mine.size(), all.data()), comm, "allgather");
  bool gather_ok = true;
  for (int r = 0; r < n; ++r) {
    gather_ok = gather_ok && all[3 * r] == r && all[3 * r + 1] == r + 100 && all[3 * r + 2] == 7;
  }
  Check(gather_ok, me, "allgather");

  // Rank 1 sends nothing: empty contributions are legal.
  auto size_of = [](int r) { return r == 1 ? std::size_t{0} : std::size_t(1000 * r + 1); };
  std::vector<std::byte> var(size_of(me));
  for (std::size_t i = 0; i < var.size(); ++i) var[i] = std::byte((me + i) % 251);
  auto parts = scaleml::AllgatherV(comm, var);
  bool var_ok = static_cast<int>(parts.size()) == n;
  for (int r = 0; var_ok && r < n; ++r) {
    var_ok = parts[r].size() == size_of(r);
    for (std::size_t i = 0; var_ok && i < parts[r].size(); ++i)
      var_ok = parts[r][i] == std::byte((r + i) % 251);
  }
  Check(var_ok, me, "allgatherv");

  for (int root = 0; root < n; ++root) {
    std::vector<std::int32_t> values(257, me == root ? root * 11 : -1);
    Must(comm.BroadcastBytes(values.data(), values.size() * 4, root), comm, "broadcast");
    bool ok = true;
    for (auto v : values) ok = ok && v == root * 11;
    Check(ok, me, "broadcast");
  }
  std::vector<std::byte> message(me == n - 1 ? 12345 : 3, std::byte{9});
  scaleml::Broadcast(comm, message, n - 1);
  Check(message.size() == 12345, me, "broadcast of a vector (size from root)");

  scaleml::Barrier(comm);
  auto ids = scaleml::AllgatherConcat(
      comm, std::span<const std::int64_t>(std::vector<std::int64_t>{me, me}));
  Check(ids.size() == static_cast<std::size_t>(2 * n) && ids[2 * (n - 1)] == n - 1, me,
        "allgather concat");
  Check(comm.stats().calls > 20 && comm.stats().bytes_sent > (4 << 20), me, "comm stats counted");
  std::printf("ok rank %d of %d: %" PRId64 " calls, %" PRId64 " bytes, %.3f s\n", me, n,
              comm.stats().calls, comm.stats().bytes_sent, comm.stats().seconds);
  return failures == 0 ? 0 : 1;
}

// Allreduces until the victim leaves; the survivors must get an error, not hang.
int RunLoss(Comm& comm, int victim, bool stall) {
  std::vector<float> data(1000, 1.0f);
  for (int step = 0; step < 1000000; ++step) {
    if (comm.rank() == victim && step == 5) {
      if (stall) {
        sleep(600);  // the test kills it
      } else {
        raise(SIGKILL);
      }
    }
    scaleml::AllreduceSum(comm, std::span<float>(data));
    std::fill(data.begin(), data.end(), 1.0f);
  }
  std::fprintf(stderr, "comm_probe rank %d: the loss of rank %d went unnoticed\n", comm.rank(),
               victim);
  return 1;
}

int RunBench(Comm& comm, std::size_t bytes, int reps) {
  std::vector<float> data(bytes / sizeof(float), 1.0f);
  scaleml::AllreduceSum(comm, std::span<float>(data));  // warm-up
  scaleml::Stopwatch watch;
  for (int i = 0; i < reps; ++i) scaleml::AllreduceSum(comm, std::span<float>(data));
  double seconds = watch.Seconds() / reps;
  if (comm.rank() == 0) {
    std::printf("allreduce %zu bytes, %d ranks: %.3f ms, %.1f MB/s of buffer\n", bytes, comm.size(),
                seconds * 1e3, bytes / seconds / 1e6);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: comm_probe ops|ops-on-retry|die RANK|stall RANK|connect|bench BYTES REPS\n");
    return 2;
  }
  std::string mode = argv[1];
  try {
    auto env = scaleml::RankEnvironment::FromEnvironment();
    scaleml::Stopwatch watch;
    scaleml::LoadGlooLibrary();
    double load_s = watch.Seconds();
    watch.Restart();
    auto comm =
        scaleml::ConnectGlooComm({env.master_addr, env.master_port, env.rank, env.world_size,
                                  env.comm_timeout_s, "", env.agent_store, env.attempt, env.token});
    double connect_s = watch.Seconds();
    if (mode == "ops") return RunOps(*comm);
    if (mode == "ops-on-retry") {
      const char* attempt = std::getenv("TORCHELASTIC_RESTART_COUNT");
      if (attempt != nullptr && std::string(attempt) != "0") return RunOps(*comm);
      scaleml::Barrier(*comm);  // every rank's keys are in the store before one leaves
      if (env.rank == 1) _exit(4);
      std::vector<float> data(10, 1.0f);
      scaleml::AllreduceSum(*comm, std::span<float>(data));  // throws: rank 1 is gone
      return 1;
    }
    if ((mode == "die" || mode == "stall") && argc >= 3) {
      return RunLoss(*comm, std::atoi(argv[2]), mode == "stall");
    }
    if (mode == "connect") {
      scaleml::Barrier(*comm);
      if (env.rank == 0)
        std::printf("library loaded in %.3f s, group of %d formed in %.3f s\n", load_s,
                    env.world_size, connect_s);
      return 0;
    }
    if (mode == "bench" && argc >= 4)
      return RunBench(*comm, std::strtoull(argv[2], nullptr, 10), std::atoi(argv[3]));
    std::fprintf(stderr, "comm_probe: unknown mode %s\n", mode.c_str());
    return 2;
  } catch (const scaleml::Error& e) {
    std::fprintf(stderr, "comm_probe: %s\n", e.what());
    return 3;
  }
}
