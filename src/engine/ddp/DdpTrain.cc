#include "engine/ddp/DdpTrain.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "comm/CommOps.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "engine/ddp/GlooCommLoader.h"
#include "engine/ddp/PaperSplit.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {
namespace {

// One rank's outcome in paper mode; a plain record so that it can be gathered byte for byte.
struct RankScore {
  double accuracy = 0.0;
  double logloss = 0.0;
  double roc_auc = 0.0;
  double f1 = 0.0;
  double balanced_accuracy = 0.0;
  std::int64_t rows_train = 0;
  std::int64_t rows_test = 0;
};

// The paper's protocol on this rank: the whole file, this rank's share of the training rows, a
// model of its own (LocalComm: the ranks never talk while training), the whole test set.
TrainReport RunPaperJob(TrainRequest job, const RankEnvironment& env) {
  job.partitioned = false;
  const std::uint64_t seed = job.split.seed;
  const int rank = env.rank;
  const int ranks = env.world_size;
  job.keep_train_rows = [seed, rank, ranks](std::span<const std::int64_t> row_ids) {
    return PaperShareRows(row_ids, seed, rank, ranks);
  };
  if (rank != 0) job.save_model.clear();  // every rank has a model; rank 0's is kept
  LocalComm alone;
  TrainReport report = RunTrainJob(job, alone);
  report.ranks = ranks;
  return report;
}

// Rank 0's report of a paper-mode run: the mean of the ranks' accuracies (and of their other
// metrics; the confusion matrix stays rank 0's), the training rows of all shares, and each phase
// at the slowest rank's time (the wall time of the run).
void MergePaperReports(DdpTrainResult& result, Comm& comm) {
  const ClassificationMetrics& metrics = result.report.metrics;
  const RankScore mine{
      result.report.accuracy,    metrics.logloss,          metrics.roc_auc,        metrics.f1,
      metrics.balanced_accuracy, result.report.rows_train, result.report.rows_test};
  const std::vector<RankScore> scores = AllgatherConcat(comm, std::span<const RankScore>(&mine, 1));
  double accuracy_sum = 0.0;
  RankScore sums;
  std::int64_t rows_train = 0;
  for (std::size_t r = 0; r < scores.size(); ++r) {
    if (scores[r].rows_test != scores[0].rows_test) {
      throw Failure("ddp paper mode: rank ", r, " scored ", scores[r].rows_test,
                    " test rows and rank 0 ", scores[0].rows_test, " in ", result.report.data_path,
                    ": give every node the same file");
    }
    accuracy_sum += scores[r].accuracy;
    sums.logloss += scores[r].logloss;
    sums.roc_auc += scores[r].roc_auc;
    sums.f1 += scores[r].f1;
    sums.balanced_accuracy += scores[r].balanced_accuracy;
    rows_train += scores[r].rows_train;
    result.accuracy_per_rank.push_back(scores[r].accuracy);
    result.rows_train_per_rank.push_back(scores[r].rows_train);
  }
  TrainReport& report = result.report;
  const double ranks = static_cast<double>(scores.size());
  report.accuracy = accuracy_sum / ranks;
  report.metrics.accuracy = report.accuracy;
  report.metrics.logloss = sums.logloss / ranks;
  report.metrics.roc_auc = sums.roc_auc / ranks;
  report.metrics.f1 = sums.f1 / ranks;
  report.metrics.balanced_accuracy = sums.balanced_accuracy / ranks;
  report.rows_train = rows_train;
  for (const RankTimes& r : result.ranks) {
    report.load_s = std::max(report.load_s, r.load_s);
    report.split_s = std::max(report.split_s, r.split_s);
    report.fit_s = std::max(report.fit_s, r.fit_s);
    report.predict_s = std::max(report.predict_s, r.predict_s);
    report.total_s = std::max(report.total_s, r.total_s);
  }
}

}  // namespace

DdpMode ParseDdpMode(const std::string& name) {
  if (name == "one-model") return DdpMode::kOneModel;
  if (name == "paper") return DdpMode::kPaper;
  throw InputError("train: --ddp-mode ", name, " is unknown: use one-model or paper");
}

const char* DdpModeName(DdpMode mode) { return mode == DdpMode::kPaper ? "paper" : "one-model"; }

int DdpDefaultThreads() {
  const char* text = std::getenv("OMP_NUM_THREADS");
  if (text == nullptr) return 0;
  int threads = std::atoi(text);
  return threads > 0 ? threads : 0;
}

DdpTrainResult RunDdpTrain(const TrainRequest& request, DdpMode mode,
                           const RankOverrides& overrides) {
  RankEnvironment env = RankEnvironment::FromEnvironment(overrides);
  Stopwatch connecting;
  std::unique_ptr<Comm> comm =
      ConnectGlooComm({env.master_addr, env.master_port, env.rank, env.world_size,
                       env.comm_timeout_s, "", env.agent_store, env.attempt, env.token});
  const double connect_s = connecting.Seconds();
  const double joined_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  LogInfo("ddp: rank ", env.rank, " of ", env.world_size, " joined the group at ", env.master_addr,
          ":", env.master_port, " in ", connect_s, " s (launched by ",
          RankLauncherName(env.launcher), ")");

  TrainRequest job = request;
  job.engine = "ddp";
  DdpTrainResult result;
  if (mode == DdpMode::kPaper) {
    result.report = RunPaperJob(job, env);
  } else {
    job.partitioned = true;
    result.report = RunTrainJob(job, *comm);
  }
  result.report.ddp_mode = DdpModeName(mode);
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
  mine.joined_unix = joined_unix;
  result.ranks = AllgatherConcat(*comm, std::span<const RankTimes>(&mine, 1));
  for (const RankTimes& r : result.ranks) {
    result.report.rank_fit_s.push_back(r.fit_s);
    result.report.rank_comm_s.push_back(r.comm_s);
  }
  if (mode == DdpMode::kPaper) MergePaperReports(result, *comm);
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
                   {"peak_rss_bytes", r.peak_rss_bytes},
                   {"joined_unix", r.joined_unix}});
  }
  return out;
}

nlohmann::json DdpTrainJson(const DdpTrainResult& result) {
  nlohmann::json out = result.report.ToJson();
  out["per_rank"] = RankTimesJson(result.ranks);
  if (!result.accuracy_per_rank.empty()) {
    out["accuracy_per_rank"] = result.accuracy_per_rank;
    out["rows_train_per_rank"] = result.rows_train_per_rank;
  }
  return out;
}

std::string DdpTrainText(const DdpTrainResult& result) {
  std::ostringstream out;
  out << result.report.ToText();
  if (!result.accuracy_per_rank.empty()) {
    out << "  paper     each rank trained alone on its share of the training rows; accuracy and "
           "the metrics are the mean of theirs (the confusion matrix rank 0's), times the slowest "
           "rank's\n";
    char line[96];
    for (std::size_t r = 0; r < result.accuracy_per_rank.size(); ++r) {
      std::snprintf(line, sizeof(line), "  rank %-4zu accuracy %.4f on %lld training rows\n", r,
                    result.accuracy_per_rank[r],
                    static_cast<long long>(result.rows_train_per_rank[r]));
      out << line;
    }
  }
  out << "  per rank\n" << FormatRankTimes(result.ranks);
  return out.str();
}

}  // namespace scaleml
