// The engine's own tasks, what the production binary offers (the tests register theirs:
// tests/unit/tasks/TestTasks.h). train_trial is a Tune trial: the dataset from the object store
// (a zero-copy view), trained and scored by RunTrainJob with LocalComm on this worker's CPUs; with
// args["report"] it also reports each round to its driver (engine/tune/TrialWorker.h). echo
// returns its arguments (benchmarks of the queue itself).
#include "algo/ParamSchema.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Threads.h"
#include "engine/TrainJob.h"
#include "engine/TrainReportFile.h"
#include "engine/tasks/TaskRegistry.h"
#include "engine/tune/TrialWorker.h"

namespace scaleml::tasks {
namespace {

nlohmann::json TrainTrial(TaskContext& context, const nlohmann::json& args) {
  if (context.refs.empty()) throw InputError("train_trial: no dataset object given");
  Dataset data = context.LoadDataset(context.refs[0]);
  TrainRequest request;
  request.algo = args.at("algo").get<std::string>();
  request.data_path = args.value("data_path", "");
  const nlohmann::json params = args.value("params", nlohmann::json::object());
  for (const auto& [key, value] : params.items()) {
    request.params[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  request.split.test_size = args.value("test_size", request.split.test_size);
  request.split.seed = args.value("seed", request.split.seed);
  request.cv_folds = args.value("cv_folds", 0);
  request.engine = EngineKind::kTasks;
  request.threads = SetThreads(context.cpus);
  // A tune trial that reports per round to its driver (engine/tune/TrialWorker.h).
  std::unique_ptr<tune::TrialWorker> trial;
  if (args.contains("report")) {
    trial = std::make_unique<tune::TrialWorker>(
        context, args["report"], data, request,
        tune::ConnectOutbox(context, args["report"].value("channel", context.task_id)));
  }
  LocalComm comm;
  TrainReport report = RunTrainJob(request, comm, &data);
  // The result crosses to the driver through Redis: the same versioned record as a report file.
  nlohmann::json out = TrainReportRecord(report);
  out["zero_copy"] = !data.owned();
  if (trial != nullptr) trial->Finish(out);
  return out;
}

}  // namespace

void RegisterBuiltinTasks(TaskRegistry& registry) {
  registry.Register("train_trial", TrainTrial);
  registry.Register("echo", [](TaskContext&, const nlohmann::json& args) { return args; });
}

}  // namespace scaleml::tasks
