#include "engine/ddp/DdpTrain.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

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
void MergePaperReports(TrainReport& report, Comm& comm) {
  const ClassificationMetrics& metrics = report.metrics;
  const RankScore mine{report.accuracy,           metrics.logloss,   metrics.roc_auc, metrics.f1,
                       metrics.balanced_accuracy, report.rows_train, report.rows_test};
  const std::vector<RankScore> scores = AllgatherConcat(comm, std::span<const RankScore>(&mine, 1));
  double accuracy_sum = 0.0;
  RankScore sums;
  std::int64_t rows_train = 0;
  for (std::size_t r = 0; r < scores.size(); ++r) {
    if (scores[r].rows_test != scores[0].rows_test) {
      throw Failure("ddp paper mode: rank ", r, " scored ", scores[r].rows_test,
                    " test rows and rank 0 ", scores[0].rows_test, " in ", report.data_path,
                    ": give every node the same file");
    }
    accuracy_sum += scores[r].accuracy;
    sums.logloss += scores[r].logloss;
    sums.roc_auc += scores[r].roc_auc;
    sums.f1 += scores[r].f1;
    sums.balanced_accuracy += scores[r].balanced_accuracy;
    rows_train += scores[r].rows_train;
    report.accuracy_per_rank.push_back(scores[r].accuracy);
    report.rows_train_per_rank.push_back(scores[r].rows_train);
  }
  const double ranks = static_cast<double>(scores.size());
  report.accuracy = accuracy_sum / ranks;
  report.metrics.accuracy = report.accuracy;
  report.metrics.logloss = sums.logloss / ranks;
  report.metrics.roc_auc = sums.roc_auc / ranks;
  report.metrics.f1 = sums.f1 / ranks;
  report.metrics.balanced_accuracy = sums.balanced_accuracy / ranks;
  report.rows_train = rows_train;
  for (const RankTimes& r : report.per_rank) {
    report.load_s = std::max(report.load_s, r.load_s);
    report.split_s = std::max(report.split_s, r.split_s);
    report.fit_s = std::max(report.fit_s, r.fit_s);
    report.predict_s = std::max(report.predict_s, r.predict_s);
    report.total_s = std::max(report.total_s, r.total_s);
  }
}

}  // namespace

int DdpDefaultThreads() {
  const char* text = std::getenv("OMP_NUM_THREADS");
  if (text == nullptr) return 0;
  int threads = std::atoi(text);
  return threads > 0 ? threads : 0;
}

TrainReport RunDdpTrain(const TrainRequest& request, DdpMode mode, const RankOverrides& overrides) {
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
  job.engine = EngineKind::kDdp;
  TrainReport report;
  if (mode == DdpMode::kPaper) {
    report = RunPaperJob(job, env);
  } else {
    job.partitioned = true;
    report = RunTrainJob(job, *comm);
  }
  report.ddp_mode = mode;
  report.rank = comm->rank();

  RankTimes mine;
  mine.rank = env.rank;
  mine.node = env.group_rank;
  mine.connect_s = connect_s;
  mine.load_s = report.load_s;
  mine.split_s = report.split_s;
  mine.fit_s = report.fit_s;
  mine.predict_s = report.predict_s;
  mine.total_s = report.total_s;
  mine.comm_s = comm->stats().seconds;
  mine.comm_calls = comm->stats().calls;
  mine.comm_bytes = comm->stats().bytes_sent;
  mine.peak_rss_bytes = report.peak_rss_bytes;
  mine.joined_unix = joined_unix;
  report.per_rank = AllgatherConcat(*comm, std::span<const RankTimes>(&mine, 1));
  if (mode == DdpMode::kPaper) MergePaperReports(report, *comm);
  // Nobody closes its connections while a peer may still be reading from them.
  Barrier(*comm);
  return report;
}

}  // namespace scaleml
