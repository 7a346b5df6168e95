#include "engine/TrainJob.h"

#include <cstdio>
#include <sstream>

#include "algo/Registry.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Memory.h"
#include "core/Stopwatch.h"

namespace scaleml {

nlohmann::json TrainReport::ToJson() const {
  nlohmann::json params_json = nlohmann::json::object();
  for (const auto& [key, value] : params) params_json[key] = value;
  nlohmann::json out = {{"algo", algo},
                        {"engine", engine},
                        {"data", data_path},
                        {"ranks", ranks},
                        {"threads", threads},
                        {"rows_train", rows_train},
                        {"rows_test", rows_test},
                        {"features", features},
                        {"classes", classes},
                        {"accuracy", accuracy},
                        {"load_s", load_s},
                        {"split_s", split_s},
                        {"fit_s", fit_s},
                        {"predict_s", predict_s},
                        {"total_s", total_s},
                        {"comm_s", comm_s},
                        {"comm_bytes", comm_bytes},
                        {"peak_rss_bytes", peak_rss_bytes},
                        {"from_cache", from_cache},
                        {"params", params_json}};
  if (!ddp_mode.empty()) out["ddp_mode"] = ddp_mode;
  return out;
}

std::string TrainReport::ToText() const {
  std::ostringstream out;
  char line[256];
  const std::string mode = ddp_mode.empty() ? "" : ", " + ddp_mode + " mode";
  std::snprintf(line, sizeof(line), "%s on %s (%s engine%s, %d rank%s, %d thread%s)\n",
                algo.c_str(), data_path.c_str(), engine.c_str(), mode.c_str(), ranks,
                ranks == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
  out << line;
  std::snprintf(line, sizeof(line),
                "  rows      %lld train, %lld test, %lld features, %lld classes\n",
                static_cast<long long>(rows_train), static_cast<long long>(rows_test),
                static_cast<long long>(features), static_cast<long long>(classes));
  out << line;
  std::snprintf(line, sizeof(line), "  accuracy  %.4f\n", accuracy);
  out << line;
  std::snprintf(line, sizeof(line),
                "  time      load %.3fs%s, split %.3fs, fit %.3fs, predict %.3fs, total %.3fs\n",
                load_s, from_cache ? " (binary cache)" : "", split_s, fit_s, predict_s, total_s);
  out << line;
  if (ranks > 1) {
    std::snprintf(line, sizeof(line), "  comm      %.3fs, %lld bytes sent by rank 0\n", comm_s,
                  static_cast<long long>(comm_bytes));
    out << line;
  }
  std::snprintf(line, sizeof(line), "  memory    peak RSS %.1f MiB\n",
                static_cast<double>(peak_rss_bytes) / (1024.0 * 1024.0));
  out << line;
  return out.str();
}

TrainReport RunTrainJob(const TrainRequest& request, Comm& comm, const Dataset* preloaded) {
  Stopwatch total;
  TrainReport report;
  report.algo = request.algo;
  report.engine = request.engine;
  report.data_path = request.data_path;
  report.ranks = comm.size();
  report.threads = request.threads;

  // Parameters are validated before the data is read: a typo fails in milliseconds.
  auto model = MakeClassifier(request.algo, request.params);
  report.algo = model->name();
  report.params = model->params();

  Stopwatch phase;
  Dataset loaded;
  if (preloaded == nullptr) {
    loaded = request.partitioned
                 ? ReadPartition(request.data_path, comm.rank(), comm.size(), request.csv)
                 : ReadCsv(request.data_path, request.csv);
  }
  const Dataset& data = preloaded != nullptr ? *preloaded : loaded;
  report.from_cache = preloaded == nullptr && !loaded.owned();
  report.load_s = phase.Seconds();

  phase.Restart();
  TrainTest split = SplitTrainTest(data, request.split);
  if (request.keep_train_rows) {
    split.train = split.train.Take(request.keep_train_rows(split.train.row_ids()));
  }
  if (preloaded == nullptr) loaded = Dataset();  // release the full table before training
  // Ranks finish loading at different times; the wait for the slowest belongs to loading, not to
  // the fit's timer or to the fit's communication.
  double load_wait_s = 0;
  if (comm.size() > 1) {
    const double before = comm.stats().seconds;
    Barrier(comm);
    load_wait_s = comm.stats().seconds - before;
  }
  report.split_s = phase.Seconds();

  phase.Restart();
  FitModel(*model, split.train, comm);
  report.fit_s = phase.Seconds();

  phase.Restart();
  std::vector<std::int32_t> predicted = model->Predict(split.test, comm);
  std::int64_t correct = 0;
  auto truth = split.test.labels();
  for (std::size_t r = 0; r < predicted.size(); ++r) correct += predicted[r] == truth[r];
  report.predict_s = phase.Seconds();

  std::int64_t counts[3] = {correct, static_cast<std::int64_t>(split.train.rows()),
                            static_cast<std::int64_t>(split.test.rows())};
  AllreduceSum(comm, std::span<std::int64_t>(counts));
  report.rows_train = counts[1];
  report.rows_test = counts[2];
  report.accuracy = counts[2] > 0 ? static_cast<double>(counts[0]) / counts[2] : 0.0;
  report.features = static_cast<std::int64_t>(split.train.features());
  report.classes = static_cast<std::int64_t>(model->classes().size());

  if (!request.save_model.empty() && comm.rank() == 0) SaveClassifier(*model, request.save_model);
  report.comm_s = comm.stats().seconds - load_wait_s;
  report.comm_bytes = comm.stats().bytes_sent;
  report.total_s = total.Seconds();
  report.peak_rss_bytes = PeakRssBytes();
  return report;
}

}  // namespace scaleml
