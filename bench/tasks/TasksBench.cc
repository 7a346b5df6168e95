// Tasks-engine micro-benchmark: empty-task dispatch latency and throughput, object put and
// zero-copy get within a node, and a checksummed pull over loopback TCP.
//   ./build/bench/bench_tasks   (needs redis-server)
#include <signal.h>
#include <sys/wait.h>
#include <algorithm>
#include <cstdio>
#include "core/Stopwatch.h"
#include "data/DatasetMeta.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/Driver.h"
#include "engine/tasks/ObjectTransfer.h"
#include "unit/tasks/TestCluster.h"
#include "unit/testing/SyntheticData.h"
using namespace scaleml;
using namespace scaleml::tasks;
int main() {
  test_support::TestCluster cluster;
  cluster.StartAgent("a", 2, 1LL << 30);
  Driver driver(cluster.cluster(), 60.0, cluster.home());
  // warm up workers
  for (int i = 0; i < 20; ++i) driver.Get(driver.Submit("echo", {{"i", i}}), 10);
  std::vector<double> lat;
  for (int i = 0; i < 300; ++i) {
    Stopwatch sw;
    driver.Get(driver.Submit("echo", {{"i", i}}), 10);
    lat.push_back(sw.Seconds() * 1e3);
  }
  std::sort(lat.begin(), lat.end());
  double mean = 0;
  for (double v : lat) mean += v;
  mean /= lat.size();
  std::printf(
      "empty task round trip (submit+get, sequential): mean %.3f ms, p50 %.3f ms, p99 %.3f ms\n",
      mean, lat[lat.size() / 2], lat[lat.size() * 99 / 100]);
  for (int n : {2000, 5000}) {
    Stopwatch sw;
    std::vector<TaskRef> refs;
    for (int i = 0; i < n; ++i) refs.push_back(driver.Submit("echo", {{"i", i}}));
    double submit_s = sw.Seconds();
    auto ready = driver.Wait(refs, refs.size(), 120);
    double total = sw.Seconds();
    std::printf(
        "%d empty tasks: submitted in %.3f s (%.0f/s), all done in %.3f s => %.0f tasks/s (%zu "
        "done)\n",
        n, submit_s, n / submit_s, total, n / total, ready.size());
  }
  // Put / get within a node
  Dataset data = scaleml::testing::MakeBlobs(2000000, 10, 2, 2.0, 1);
  Stopwatch sw;
  ObjectRef ref = driver.Put(data);
  double put_s = sw.Seconds();
  double mb = DatasetObject::SizeOf(data) / 1e6;
  std::printf("put %.1f MB dataset: %.3f s (%.0f MB/s, incl. xxh3 checksum)\n", mb, put_s,
              mb / put_s);
  const NodeFile& node = driver.LocalNode();
  ObjectStore store("/dev/shm", node.shm_prefix, node.store_limit,
                    ObjectStore::SpillDirIn(cluster.home()));
  sw.Restart();
  Dataset view = DatasetObject::View(store.Open(ref.id));
  double get_s = sw.Seconds();
  double sum = 0;
  for (float v : view.feature_data()) sum += v;
  double read_s = sw.Seconds();
  std::printf(
      "get (map + zero-copy view): %.6f s; + reading every feature value: %.3f s (%.0f MB/s) "
      "sum=%g owned=%d\n",
      get_s, read_s, mb / read_s, sum, (int)view.owned());
  // Transfer over loopback TCP: server in a child process
  net::Listener listener;
  if (Status s = ObjectTransfer::Listen("127.0.0.1", 0, &listener); !s.ok()) {
    std::fprintf(stderr, "object server: %s\n", s.message().c_str());
    return 1;
  }
  const int port = listener.port;
  pid_t child = fork();
  if (child == 0) ObjectTransfer::Serve(std::move(listener.socket), store, cluster.cluster().token);
  listener.socket.Close();
  ObjectStore other("/dev/shm", "scaleml_benchcopy_", 1LL << 31);
  auto info = *driver.control().Object(ref.id);
  for (int k = 0; k < 3; ++k) {
    sw.Restart();
    std::int64_t bytes = 0;
    const Status pulled = ObjectTransfer::Pull("127.0.0.1", port, cluster.cluster().token, info,
                                               other, nullptr, &bytes);
    double s = sw.Seconds();
    if (!pulled.ok()) {
      std::fprintf(stderr, "pull: %s\n", pulled.message().c_str());
      break;
    }
    std::printf("pull over loopback TCP (checksummed): %.1f MB in %.3f s = %.0f MB/s\n",
                bytes / 1e6, s, bytes / 1e6 / s);
    other.RemoveAll();
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  driver.Free(ref);
  return 0;
}
