#include "engine/tune/TasksTrain.h"

#include "core/Error.h"
#include "core/Threads.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::tune {
namespace {

// A metric of the report as text; "n/a" where it is undefined (null).
std::string MetricValue(const nlohmann::json& report, const char* key) {
  return report.contains(key) && report[key].is_number() ? StrCat(report[key].get<double>())
                                                         : std::string("n/a");
}

}  // namespace

nlohmann::json RunTasksTrain(const TrainRequest& request) {
  TuneOptions options;
  options.algo = request.algo;
  options.data_path = request.data_path;
  for (const auto& [key, value] : request.params) options.params.push_back(key + "=" + value);
  options.num_samples = 1;
  options.cpus_per_trial = request.threads > 0 ? request.threads : HardwareThreads();
  options.test_size = request.split.test_size;
  options.split_seed = request.split.seed;
  options.cv_folds = request.cv_folds;
  options.load_threads = request.threads;
  options.quiet = true;
  options.name = "train";
  options.report_rounds = false;  // trains on every training row, as the other engines do
  TuneResult result = TuneRunner::Run(options);
  const Trial& trial = result.trials.at(0);
  if (trial.status != TrialStatus::kTerminated)
    throw Failure("train --engine tasks: ", trial.error);
  nlohmann::json report = trial.result;
  report["node"] = trial.node;
  report["attempts"] = trial.attempts;
  report["tune_total_s"] = result.summary.value("total_s", 0.0);
  report["tune_load_s"] = result.summary.value("load_s", 0.0);
  report["tune_put_s"] = result.summary.value("put_s", 0.0);
  return report;
}

std::string TasksTrainText(const nlohmann::json& report) {
  auto number = [&report](const char* key) { return report.value(key, 0.0); };
  return StrCat("engine    tasks (node ", report.value("node", "?"), ", attempt ",
                report.value("attempts", 1), ")\n", "algo      ", report.value("algo", "?"), "\n",
                "data      ", report.value("data", "?"), "\n", "accuracy  ", number("accuracy"),
                "\n", "metrics   logloss ", MetricValue(report, "logloss"), ", roc_auc ",
                MetricValue(report, "roc_auc"), ", f1 ", MetricValue(report, "f1"),
                ", balanced_accuracy ", MetricValue(report, "balanced_accuracy"), "\n",
                "load      ", number("tune_load_s"), " s (driver, once)\n", "put       ",
                number("tune_put_s"), " s\n", "fit       ", number("fit_s"), " s\n", "predict   ",
                number("predict_s"), " s\n", "trial     ", number("total_s"), " s\n", "total     ",
                number("tune_total_s"), " s\n");
}

}  // namespace scaleml::tune
