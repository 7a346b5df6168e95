#include "engine/ddp/DdpTrain.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "comm/CommOps.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "engine/ddp/GlooCommLoader.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

int DdpDefaultThreads() {
  const char* text = std::getenv("OMP_NUM_THREADS");
  if (text == nullptr) return 0;
  int threads = std::atoi(text);
  return threads > 0 ? threads : 0;
}

DdpTrainResult RunDdpTrain(const TrainRequest& request) {
  RankEnvironment env = RankEnvironment::FromEnvironment();
  Stopwatch connecting;
  std::unique_ptr<Comm> comm =
      ConnectGlooComm({env.master_addr, env.master_port, env.rank, env.world_size,
                       env.comm_timeout_s, "", env.agent_store});
  const double connect_s = connecting.Seconds();
  LogInfo("ddp: rank ", env.rank, " of ", env.world_size, " joined the group at ", env.master_addr,
          ":", env.master_port, " in ", connect_s, " s");

  TrainRequest job = request;
  job.engine = "ddp";
  job.partitioned = true;
  DdpTrainResult result;
  result.report = RunTrainJob(job, *comm);
  result.is_root = comm->rank() == 0;

  RankTimes mine;
  mine.rank = env.rank;
  mine.node = env.group_rank;
  mine.connect_s = connect_s;
  mine.load_s = result.report.load_s;
  mine.split_s = result.report.split_s;
  mine.fit_s = result.report.fit_s;
  mine.predict_s = result.report.predict_s;
  mine.total_s = result.report.total_s;
  mine.comm_s = comm->stats().seconds;
  mine.comm_calls = comm->stats().calls;
  mine.comm_bytes = comm->stats().bytes_sent;
  mine.peak_rss_bytes = result.report.peak_rss_bytes;
  result.ranks = AllgatherConcat(*comm, std::span<const RankTimes>(&mine, 1));
  // Nobody closes its connections while a peer may still be reading from them.
  Barrier(*comm);
  return result;
}

std::string FormatRankTimes(const std::vector<RankTimes>& ranks) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof(line), "  %-5s %-5s %8s %8s %8s %8s %8s %8s %12s %7s %9s\n", "rank",
                "node", "connect", "load", "split", "fit", "predict", "comm", "comm bytes", "calls",
                "peak MiB");
  out << line;
  for (const auto& r : ranks) {
    std::snprintf(line, sizeof(line),
                  "  %-5d %-5d %7.3fs %7.3fs %7.3fs %7.3fs %7.3fs %7.3fs %12lld %7lld %9.1f\n",
                  r.rank, r.node, r.connect_s, r.load_s, r.split_s, r.fit_s, r.predict_s, r.comm_s,
                  static_cast<long long>(r.comm_bytes), static_cast<long long>(r.comm_calls),
                  static_cast<double>(r.peak_rss_bytes) / (1024.0 * 1024.0));
    out << line;
  }
  return out.str();
}

nlohmann::json RankTimesJson(const std::vector<RankTimes>& ranks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : ranks) {
    out.push_back({{"rank", r.rank},
                   {"node", r.node},
                   {"connect_s", r.connect_s},
                   {"load_s", r.load_s},
                   {"split_s", r.split_s},
                   {"fit_s", r.fit_s},
                   {"predict_s", r.predict_s},
                   {"total_s", r.total_s},
                   {"comm_s", r.comm_s},
                   {"comm_calls", r.comm_calls},
                   {"comm_bytes", r.comm_bytes},
                   {"peak_rss_bytes", r.peak_rss_bytes}});
  }
  return out;
}

nlohmann::json DdpTrainJson(const DdpTrainResult& result) {
  nlohmann::json out = result.report.ToJson();
  out["per_rank"] = RankTimesJson(result.ranks);
  return out;
}

}  // namespace scaleml
