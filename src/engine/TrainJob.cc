#include "engine/TrainJob.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "algo/Classifier.h"
#include "algo/Registry.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Memory.h"
#include "core/Stopwatch.h"
#include "engine/SchemaExchange.h"

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

}  // namespace

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
  if (!ddp_mode.empty()) out["ddp_mode"] = ddp_mode;
  if (!rank_fit_s.empty()) out["rank_fit_s"] = rank_fit_s;
  if (!rank_comm_s.empty()) out["rank_comm_s"] = rank_comm_s;
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
  return out.str();
}

namespace {

// The rows of `path` this process holds. Under ddp each rank coded only the categories and
// classes of its part: the dictionaries are merged, so every rank has the single process's codes.
// With `schema` (a test file), the file is coded as the training data was.
// `skipped` (when given) gets the rows this rank dropped for a missing label.
Dataset LoadRows(const std::string& path, const TrainRequest& request, Comm& comm,
                 const Schema* schema = nullptr, std::int64_t* skipped = nullptr) {
  CsvOptions options = request.csv;
  if (schema != nullptr) options.fixed_schema = schema;
  CsvLoadInfo info;
  if (!request.partitioned) {
    Dataset rows = ReadCsv(path, options, &info);
    if (skipped != nullptr) *skipped = info.skipped_missing_label;
    return rows;
  }
  Dataset rows = ReadPartition(path, comm.rank(), comm.size(), options, &info);
  if (skipped != nullptr) *skipped = info.skipped_missing_label;
  if (schema == nullptr) ExchangeDictionaries(comm, rows, request.csv.categorical);
  return rows;
}

struct RowCounts {
  std::int64_t train = 0;
  std::int64_t test = 0;
};

// Collective: the training and test rows over all ranks (the same on every rank, so an error
// about them is thrown by every rank together).
RowCounts GlobalRows(const Dataset& train, const Dataset& test, Comm& comm) {
  std::int64_t counts[2] = {static_cast<std::int64_t>(train.rows()),
                            static_cast<std::int64_t>(test.rows())};
  AllreduceSum(comm, std::span<std::int64_t>(counts));
  return {counts[0], counts[1]};
}

// A test file must have the training file's features, in the same order.
void CheckTestColumns(const Dataset& train, const Dataset& test, const TrainRequest& request) {
  if (test.feature_names() == train.feature_names()) return;
  const auto& a = train.feature_names();
  const auto& b = test.feature_names();
  std::size_t first = 0;
  while (first < a.size() && first < b.size() && a[first] == b[first]) ++first;
  throw InputError("--test-data ", request.test_data_path, ": its features differ from those of ",
                   request.data_path, " (", b.size(), " against ", a.size(), "; first difference ",
                   "at feature ", first + 1, ": '", first < b.size() ? b[first] : "", "' against '",
                   first < a.size() ? a[first] : "", "'); give both files the same columns");
}

struct FitOutcome {
  double fit_s = 0.0;
  double predict_s = 0.0;
  double score_s = 0.0;
  ClassificationMetrics metrics;
};

// Fits `model`, predicts the test rows' probabilities once (the labels are their argmax) and
// scores them; collective.
FitOutcome FitAndScore(Classifier& model, const Dataset& train, const Dataset& test, Comm& comm) {
  FitOutcome out;
  Stopwatch phase;
  FitModel(model, train, comm);
  out.fit_s = phase.Seconds();
  phase.Restart();
  const std::vector<float> proba = model.PredictProba(test, comm);
  const std::vector<std::int32_t> predicted = ArgmaxLabels(proba, model.classes());
  out.predict_s = phase.Seconds();
  phase.Restart();
  out.metrics =
      ScoreClassifier(test.labels(), proba, predicted, model.classes(), train.schema(), comm);
  out.score_s = phase.Seconds();
  return out;
}

// K models, each trained on K-1 folds and scored on the remaining one; the report's metrics are
// the folds' means, its confusion matrix their sum.
void RunCrossValidation(const TrainRequest& request, const Dataset& data, Comm& comm,
                        TrainReport& report) {
  const int folds = request.cv_folds;
  std::vector<ClassificationMetrics> fold_metrics;
  std::int64_t training_rows = 0;
  for (int f = 0; f < folds; ++f) {
    Stopwatch phase;
    TrainTest split = SplitFold(data, f, folds, request.split.seed);
    if (request.keep_train_rows) {
      split.train = split.train.Take(request.keep_train_rows(split.train.row_ids()));
    }
    const RowCounts rows = GlobalRows(split.train, split.test, comm);
    if (rows.train == 0 || rows.test == 0) {
      throw InputError("--cv ", folds, ": fold ", f, " of ", request.data_path, " has ", rows.train,
                       " training and ", rows.test, " test rows; use fewer folds");
    }
    report.split_s += phase.Seconds();
    auto model = MakeClassifier(request.algo, request.params);
    FitOutcome outcome = FitAndScore(*model, split.train, split.test, comm);
    report.fit_s += outcome.fit_s;
    report.predict_s += outcome.predict_s;
    report.score_s += outcome.score_s;
    report.classes = std::max<std::int64_t>(report.classes, model->classes().size());
    report.features = static_cast<std::int64_t>(split.train.features());
    report.cv_folds.push_back({rows.train, outcome.fit_s, outcome.predict_s, outcome.metrics});
    fold_metrics.push_back(std::move(outcome.metrics));
    training_rows += rows.train;
  }
  // Every row trains in K-1 folds and is scored in one.
  report.rows_train = training_rows / (folds - 1);
  const nlohmann::json mean = MetricsMean(fold_metrics);
  ClassificationMetrics& summary = report.metrics;
  summary = fold_metrics[0];
  summary.accuracy = mean["accuracy"].get<double>();
  summary.logloss = mean["logloss"].get<double>();
  summary.roc_auc = mean["roc_auc"].get<double>();
  summary.f1 = mean["f1"].get<double>();
  summary.balanced_accuracy = mean["balanced_accuracy"].get<double>();
  for (std::size_t f = 1; f < fold_metrics.size(); ++f) {
    summary.rows += fold_metrics[f].rows;
    // The same classes in every fold (all labels of the data): the matrices add up.
    if (fold_metrics[f].confusion.size() != summary.confusion.size()) continue;
    for (std::size_t i = 0; i < summary.confusion.size(); ++i) {
      summary.confusion[i] += fold_metrics[f].confusion[i];
    }
  }
  report.rows_test = summary.rows;
  report.accuracy = summary.accuracy;
}

}  // namespace

void CheckScoringOptions(const TrainRequest& request) {
  const bool cross_validate = request.cv_folds != 0;
  if (cross_validate && !request.test_data_path.empty()) {
    throw InputError(
        "train: --cv and --test-data exclude each other: cross-validation scores "
        "folds of --data; drop one of them");
  }
  if (cross_validate && request.cv_folds < 2) {
    throw InputError("train: --cv ", request.cv_folds, ": use at least 2 folds");
  }
  if (cross_validate && !request.save_model.empty()) {
    throw InputError(
        "train: --save-model does not apply with --cv (every fold trains a model of "
        "its own); train without --cv to save one");
  }
  if (!cross_validate && request.test_data_path.empty()) CheckTestSize(request.split);
}

TrainReport RunTrainJob(const TrainRequest& request, Comm& comm, const Dataset* preloaded) {
  Stopwatch total;
  TrainReport report;
  report.algo = request.algo;
  report.engine = request.engine;
  report.data_path = request.data_path;
  report.test_data_path = request.test_data_path;
  report.ranks = comm.size();
  report.threads = request.threads;

  // Options and parameters are validated before the data is read: a typo fails in milliseconds.
  CheckScoringOptions(request);
  const bool cross_validate = request.cv_folds != 0;
  auto model = MakeClassifier(request.algo, request.params);
  report.algo = model->name();
  report.params = model->params();

  Stopwatch phase;
  Dataset loaded;
  if (preloaded == nullptr) {
    loaded = LoadRows(request.data_path, request, comm, nullptr, &report.rows_missing_label);
    if (request.partitioned) {
      AllreduceSum(comm, std::span<std::int64_t>(&report.rows_missing_label, 1));
    }
  }
  const Dataset& data = preloaded != nullptr ? *preloaded : loaded;
  Dataset test_file;
  if (!request.test_data_path.empty()) {
    test_file = LoadRows(request.test_data_path, request, comm, &data.schema());
    CheckTestColumns(data, test_file, request);
  }
  report.from_cache = preloaded == nullptr && !loaded.owned();
  report.load_s = phase.Seconds();
  // Ranks finish loading at different times; the wait for the slowest belongs to loading (it is
  // timed with the split), not to the fit's timer or to the fit's communication.
  double load_wait_s = 0;
  auto wait_for_slowest_rank = [&comm, &load_wait_s] {
    if (comm.size() == 1) return;
    const double before = comm.stats().seconds;
    Barrier(comm);
    load_wait_s = comm.stats().seconds - before;
  };

  if (cross_validate) {
    phase.Restart();
    wait_for_slowest_rank();
    report.split_s = phase.Seconds();
    RunCrossValidation(request, data, comm, report);
  } else {
    phase.Restart();
    // The training rows: the split's, or every row of --data (then no copy when all are kept).
    TrainTest split;
    const Dataset* train = &data;
    if (request.test_data_path.empty()) {
      split = SplitTrainTest(data, request.split);
      train = &split.train;
    } else {
      split.test = std::move(test_file);
    }
    if (request.keep_train_rows) {
      split.train = train->Take(request.keep_train_rows(train->row_ids()));
      train = &split.train;
    }
    if (preloaded == nullptr && train != &data) loaded = Dataset();  // release the whole table
    wait_for_slowest_rank();
    const RowCounts rows = GlobalRows(*train, split.test, comm);
    if (rows.test == 0 || rows.train == 0) {
      throw InputError(request.test_data_path.empty()
                           ? StrCat("--test-size ", request.split.test_size, " leaves ", rows.train,
                                    " training and ", rows.test, " test rows of ",
                                    request.data_path, "; both need rows: change --test-size")
                           : StrCat(rows.test == 0 ? request.test_data_path : request.data_path,
                                    " holds no data rows; training and scoring need rows"));
    }
    report.split_s = phase.Seconds();

    if (request.prepare_model) request.prepare_model(model);
    FitOutcome outcome = FitAndScore(*model, *train, split.test, comm);
    report.fit_s = outcome.fit_s;
    report.predict_s = outcome.predict_s;
    report.score_s = outcome.score_s;
    report.metrics = std::move(outcome.metrics);
    report.rows_train = rows.train;
    report.rows_test = rows.test;
    report.accuracy = report.metrics.accuracy;
    report.features = static_cast<std::int64_t>(train->features());
    report.classes = static_cast<std::int64_t>(model->classes().size());
    if (!request.save_model.empty() && comm.rank() == 0) {
      SaveClassifier(*model, request.save_model);
    }
  }
  report.comm_s = comm.stats().seconds - load_wait_s;
  report.comm_bytes = comm.stats().bytes_sent;
  report.total_s = total.Seconds();
  report.peak_rss_bytes = PeakRssBytes();
  return report;
}

}  // namespace scaleml
