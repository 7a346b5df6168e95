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
