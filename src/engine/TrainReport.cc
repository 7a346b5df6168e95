#include "engine/TrainReport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/Error.h"

namespace scaleml {
namespace {

// "0.9450", or "n/a" for an undefined (NaN) metric.
std::string MetricText(double value) {
  if (std::isnan(value)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof(text), "%.4f", value);
  return text;
}

// The matrix under a header of predicted classes, a row per true class; names cut to 16 bytes.
std::string ConfusionText(const ClassificationMetrics& m) {
  constexpr std::size_t kMaxPrinted = 20;
  if (m.classes() > kMaxPrinted) {
    return "  confusion " + std::to_string(m.classes()) + " classes: see --json\n";
  }
  std::vector<std::string> names;
  std::size_t width = 5;
  for (const auto& name : m.class_names) {
    names.push_back(name.substr(0, 16));
    width = std::max(width, names.back().size());
  }
  for (std::int64_t count : m.confusion) width = std::max(width, std::to_string(count).size());
  auto cell = [width](const std::string& text) {
    return std::string(width + 2 - std::min(width + 2, text.size()), ' ') + text;
  };
  std::string out = "  confusion rows: true class, columns: predicted\n  " + cell("");
  for (const auto& name : names) out += cell(name);
  out += "\n";
  for (std::size_t t = 0; t < m.classes(); ++t) {
    out += "  " + cell(names[t]);
    for (std::size_t p = 0; p < m.classes(); ++p) out += cell(std::to_string(m.confusion_at(t, p)));
    out += "\n";
  }
  return out;
}

std::string CvText(const std::vector<CvFoldReport>& folds) {
  std::ostringstream out;
  char line[256];
  const char* format = "  %-9s %9s %9s %9s %9s %9s %9s\n";
  std::snprintf(line, sizeof(line), "  cv        %zu folds by the row hash of the split\n",
                folds.size());
  out << line;
  std::snprintf(line, sizeof(line), format, "fold", "rows_test", "accuracy", "logloss", "roc_auc",
                "f1", "bal_acc");
  out << line;
  std::vector<ClassificationMetrics> metrics;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const ClassificationMetrics& m = folds[f].metrics;
    metrics.push_back(m);
    std::snprintf(line, sizeof(line), format, std::to_string(f).c_str(),
                  std::to_string(m.rows).c_str(), MetricText(m.accuracy).c_str(),
                  MetricText(m.logloss).c_str(), MetricText(m.roc_auc).c_str(),
                  MetricText(m.f1).c_str(), MetricText(m.balanced_accuracy).c_str());
    out << line;
  }
  for (const auto& row :
       {std::pair{"mean", MetricsMean(metrics)}, std::pair{"std", MetricsStd(metrics)}}) {
    const char* label = row.first;
    const auto& values = row.second;  // a plain name: clang cannot capture a structured binding
    auto value = [&values](const char* key) { return MetricText(values[key].get<double>()); };
    std::snprintf(line, sizeof(line), format, label, "", value("accuracy").c_str(),
                  value("logloss").c_str(), value("roc_auc").c_str(), value("f1").c_str(),
                  value("balanced_accuracy").c_str());
    out << line;
  }
  return out.str();
}

nlohmann::json CvJson(const std::vector<CvFoldReport>& folds) {
  nlohmann::json per_fold = nlohmann::json::array();
  std::vector<ClassificationMetrics> metrics;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const CvFoldReport& fold = folds[f];
    metrics.push_back(fold.metrics);
    nlohmann::json j = fold.metrics.ToJson();
    j["fold"] = f;
    j["rows_train"] = fold.rows_train;
    j["rows_test"] = fold.metrics.rows;
    j["accuracy"] = fold.metrics.accuracy;
    j["fit_s"] = fold.fit_s;
    j["predict_s"] = fold.predict_s;
    per_fold.push_back(std::move(j));
  }
  return {{"folds", folds.size()},
          {"per_fold", per_fold},
          {"mean", MetricsMean(metrics)},
          {"std", MetricsStd(metrics)}};
}

// A number of a report's JSON; null (an undefined metric, NaN when written) reads as NaN.
double NumberOrNan(const nlohmann::json& json, const char* key) {
  const nlohmann::json& value = json.at(key);
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  return value.get<double>();
}

// The metrics ClassificationMetrics::ToJson wrote into `json`, with accuracy and rows as given.
ClassificationMetrics MetricsFromJson(const nlohmann::json& json, double accuracy,
                                      std::int64_t rows) {
  ClassificationMetrics m;
  m.rows = rows;
  m.accuracy = accuracy;
  m.logloss = NumberOrNan(json, "logloss");
  m.roc_auc = NumberOrNan(json, "roc_auc");
  m.f1 = NumberOrNan(json, "f1");
  m.balanced_accuracy = NumberOrNan(json, "balanced_accuracy");
  const nlohmann::json& confusion = json.at("confusion_matrix");
  m.class_names = confusion.at("classes").get<std::vector<std::string>>();
  for (const auto& row : confusion.at("matrix")) {
    if (row.size() != m.class_names.size()) {
      throw InputError("confusion_matrix: a row of ", row.size(), " counts for ",
                       m.class_names.size(), " classes");
    }
    for (const auto& count : row) m.confusion.push_back(count.get<std::int64_t>());
  }
  if (m.confusion.size() != m.class_names.size() * m.class_names.size()) {
    throw InputError(
        "confusion_matrix: ", m.confusion.size() / std::max<std::size_t>(1, m.class_names.size()),
        " rows for ", m.class_names.size(), " classes");
  }
  return m;
}

std::vector<RankTimes> RankTimesFromJson(const nlohmann::json& array) {
  std::vector<RankTimes> ranks;
  for (const auto& r : array) {
    RankTimes t;
    t.rank = r.at("rank").get<std::int32_t>();
    t.node = r.at("node").get<std::int32_t>();
    t.connect_s = r.at("connect_s").get<double>();
    t.load_s = r.at("load_s").get<double>();
    t.split_s = r.at("split_s").get<double>();
    t.fit_s = r.at("fit_s").get<double>();
    t.predict_s = r.at("predict_s").get<double>();
    t.total_s = r.at("total_s").get<double>();
    t.comm_s = r.at("comm_s").get<double>();
    t.comm_calls = r.at("comm_calls").get<std::int64_t>();
    t.comm_bytes = r.at("comm_bytes").get<std::int64_t>();
    t.peak_rss_bytes = r.at("peak_rss_bytes").get<std::int64_t>();
    t.joined_unix = r.value("joined_unix", 0.0);  // absent in reports of older builds
    ranks.push_back(t);
  }
  return ranks;
}

std::vector<CvFoldReport> CvFromJson(const nlohmann::json& cv) {
  std::vector<CvFoldReport> folds;
  for (const auto& f : cv.at("per_fold")) {
    CvFoldReport fold;
    fold.rows_train = f.at("rows_train").get<std::int64_t>();
    fold.fit_s = f.at("fit_s").get<double>();
    fold.predict_s = f.at("predict_s").get<double>();
    fold.metrics =
        MetricsFromJson(f, NumberOrNan(f, "accuracy"), f.at("rows_test").get<std::int64_t>());
    folds.push_back(std::move(fold));
  }
  return folds;
}

// Paper mode's per-rank accuracies and the per-rank table, after the report's own lines.
std::string RanksText(const TrainReport& report) {
  std::ostringstream out;
  if (!report.accuracy_per_rank.empty()) {
    out << "  paper     each rank trained alone on its share of the training rows; accuracy and "
           "the metrics are the mean of theirs (the confusion matrix rank 0's), times the slowest "
           "rank's\n";
    char line[96];
    for (std::size_t r = 0; r < report.accuracy_per_rank.size(); ++r) {
      const std::int64_t rows =
          r < report.rows_train_per_rank.size() ? report.rows_train_per_rank[r] : 0;
      std::snprintf(line, sizeof(line), "  rank %-4zu accuracy %.4f on %lld training rows\n", r,
                    report.accuracy_per_rank[r], static_cast<long long>(rows));
      out << line;
    }
  }
  if (!report.per_rank.empty()) out << "  per rank\n" << FormatRankTimes(report.per_rank);
  return out.str();
}

}  // namespace

nlohmann::json TrainReport::ToJson() const {
  nlohmann::json params_json = nlohmann::json::object();
  for (const auto& [key, value] : params) params_json[key] = value;
  nlohmann::json out = {{"algo", algo},
                        {"engine", EngineKindName(engine)},
                        {"data", data_path},
                        {"ranks", ranks},
                        {"threads", threads},
                        {"rows_train", rows_train},
                        {"rows_test", rows_test},
                        {"rows_missing_label", rows_missing_label},
                        {"features", features},
                        {"classes", classes},
                        {"accuracy", accuracy},
                        {"load_s", load_s},
                        {"split_s", split_s},
                        {"fit_s", fit_s},
                        {"predict_s", predict_s},
                        {"score_s", score_s},
                        {"total_s", total_s},
                        {"comm_s", comm_s},
                        {"comm_bytes", comm_bytes},
                        {"peak_rss_bytes", peak_rss_bytes},
                        {"from_cache", from_cache},
                        {"params", params_json}};
  out.update(metrics.ToJson());
  if (!test_data_path.empty()) out["test_data"] = test_data_path;
  if (!cv_folds.empty()) out["cv"] = CvJson(cv_folds);
  if (ddp_mode) out["ddp_mode"] = DdpModeName(*ddp_mode);
  if (!per_rank.empty()) {
    out["per_rank"] = RankTimesJson(per_rank);
    // The load balance at a glance: one model's collectives wait for the slowest rank.
    std::vector<double> fit, comm;
    for (const RankTimes& r : per_rank) {
      fit.push_back(r.fit_s);
      comm.push_back(r.comm_s);
    }
    out["rank_fit_s"] = fit;
    out["rank_comm_s"] = comm;
  }
  if (!accuracy_per_rank.empty()) {
    out["accuracy_per_rank"] = accuracy_per_rank;
    out["rows_train_per_rank"] = rows_train_per_rank;
  }
  if (tasks) {
    out["node"] = tasks->node;
    out["attempts"] = tasks->attempts;
    out["tune_load_s"] = tasks->driver_load_s;
    out["tune_put_s"] = tasks->put_s;
    out["tune_total_s"] = tasks->driver_total_s;
  }
  return out;
}

TrainReport TrainReport::FromJson(const nlohmann::json& json) {
  TrainReport r;
  r.algo = json.at("algo").get<std::string>();
  r.engine = ParseEngineKind(json.at("engine").get<std::string>());
  r.data_path = json.at("data").get<std::string>();
  r.ranks = json.at("ranks").get<int>();
  r.threads = json.at("threads").get<int>();
  r.rows_train = json.at("rows_train").get<std::int64_t>();
  r.rows_test = json.at("rows_test").get<std::int64_t>();
  r.rows_missing_label = json.at("rows_missing_label").get<std::int64_t>();
  r.features = json.at("features").get<std::int64_t>();
  r.classes = json.at("classes").get<std::int64_t>();
  r.accuracy = NumberOrNan(json, "accuracy");
  r.load_s = json.at("load_s").get<double>();
  r.split_s = json.at("split_s").get<double>();
  r.fit_s = json.at("fit_s").get<double>();
  r.predict_s = json.at("predict_s").get<double>();
  r.score_s = json.at("score_s").get<double>();
  r.total_s = json.at("total_s").get<double>();
  r.comm_s = json.at("comm_s").get<double>();
  r.comm_bytes = json.at("comm_bytes").get<std::int64_t>();
  r.peak_rss_bytes = json.at("peak_rss_bytes").get<std::int64_t>();
  r.from_cache = json.at("from_cache").get<bool>();
  for (const auto& [key, value] : json.at("params").items()) {
    r.params[key] = value.get<std::string>();
  }
  r.metrics = MetricsFromJson(json, r.accuracy, r.rows_test);
  r.test_data_path = json.value("test_data", "");
  if (json.contains("cv")) r.cv_folds = CvFromJson(json["cv"]);
  if (json.contains("ddp_mode")) r.ddp_mode = ParseDdpMode(json["ddp_mode"].get<std::string>());
  if (json.contains("per_rank")) r.per_rank = RankTimesFromJson(json["per_rank"]);
  if (json.contains("accuracy_per_rank")) {
    r.accuracy_per_rank = json["accuracy_per_rank"].get<std::vector<double>>();
    r.rows_train_per_rank = json.at("rows_train_per_rank").get<std::vector<std::int64_t>>();
  }
  if (json.contains("node")) {
    TasksPlacement placement;
    placement.node = json["node"].get<std::string>();
    placement.attempts = json.at("attempts").get<int>();
    placement.driver_load_s = json.at("tune_load_s").get<double>();
    placement.put_s = json.at("tune_put_s").get<double>();
    placement.driver_total_s = json.at("tune_total_s").get<double>();
    r.tasks = placement;
  }
  return r;
}

std::string TrainReport::ToText() const {
  std::ostringstream out;
  char line[256];
  const std::string mode = ddp_mode ? StrCat(", ", DdpModeName(*ddp_mode), " mode") : "";
  std::snprintf(line, sizeof(line), "%s on %s (%s engine%s, %d rank%s, %d thread%s)\n",
                algo.c_str(), data_path.c_str(), EngineKindName(engine), mode.c_str(), ranks,
                ranks == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
  out << line;
  if (tasks) {
    std::snprintf(line, sizeof(line),
                  "  tasks     node %s, attempt %d; driver: load %.3fs (once), put %.3fs, total "
                  "%.3fs\n",
                  tasks->node.c_str(), tasks->attempts, tasks->driver_load_s, tasks->put_s,
                  tasks->driver_total_s);
    out << line;
  }
  if (!test_data_path.empty()) out << "  test      " << test_data_path << "\n";
  std::snprintf(line, sizeof(line),
                "  rows      %lld train, %lld test, %lld features, %lld classes\n",
                static_cast<long long>(rows_train), static_cast<long long>(rows_test),
                static_cast<long long>(features), static_cast<long long>(classes));
  out << line;
  if (rows_missing_label > 0) {
    out << "  skipped   " << rows_missing_label << " rows with a missing label\n";
  }
  const char* of_folds = cv_folds.empty() ? "" : " (mean of the folds)";
  out << "  accuracy  " << MetricText(accuracy) << of_folds << "\n";
  out << "  metrics   logloss " << MetricText(metrics.logloss) << ", roc_auc "
      << MetricText(metrics.roc_auc) << ", f1 " << MetricText(metrics.f1) << ", balanced_accuracy "
      << MetricText(metrics.balanced_accuracy) << of_folds << "\n";
  if (!cv_folds.empty()) out << CvText(cv_folds);
  if (!metrics.confusion.empty()) out << ConfusionText(metrics);
  std::snprintf(line, sizeof(line),
                "  time      load %.3fs%s, split %.3fs, fit %.3fs, predict %.3fs, score %.3fs, "
                "total %.3fs\n",
                load_s, from_cache ? " (binary cache)" : "", split_s, fit_s, predict_s, score_s,
                total_s);
  out << line;
  if (ranks > 1) {
    std::snprintf(line, sizeof(line), "  comm      %.3fs, %lld bytes sent by rank 0\n", comm_s,
                  static_cast<long long>(comm_bytes));
    out << line;
  }
  std::snprintf(line, sizeof(line), "  memory    peak RSS %.1f MiB\n",
                static_cast<double>(peak_rss_bytes) / (1024.0 * 1024.0));
  out << line;
  out << RanksText(*this);
  return out.str();
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

}  // namespace scaleml
