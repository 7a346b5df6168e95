// The engine's own tasks. train_trial is a Tune trial: the dataset from the object store (a
// zero-copy view), trained and scored by RunTrainJob with LocalComm on this worker's CPUs; with
// args["report"] it also reports each round to its driver (engine/tune/TrialWorker.h).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "algo/ParamSchema.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Threads.h"
#include "engine/TrainJob.h"
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
  request.engine = "tasks";
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
  nlohmann::json out = report.ToJson();
  out["zero_copy"] = !data.owned();
  if (trial != nullptr) trial->Finish(out);
  return out;
}

// Writes this worker's PID to args.pid_file (when given), then sleeps: tests kill it meanwhile.
nlohmann::json Sleep(TaskContext& context, const nlohmann::json& args) {
  if (args.contains("pid_file")) {
    std::ofstream(args["pid_file"].get<std::string>()) << getpid() << "\n";
  }
  const double seconds = args.value("seconds", 0.1);
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
  return {{"slept", seconds}, {"attempt", context.attempt}, {"pid", getpid()}};
}

// Dies like a segfaulting task on the first `crash_attempts` attempts, then succeeds.
nlohmann::json Crash(TaskContext& context, const nlohmann::json& args) {
  if (context.attempt < args.value("crash_attempts", 1 << 30)) {
    kill(getpid(), SIGKILL);
  }
  return {{"survived_attempt", context.attempt}};
}

// Checksums an object's bytes as this node sees them (object transfer tests).
nlohmann::json ObjectChecksum(TaskContext& context, const nlohmann::json&) {
  Dataset data = context.LoadDataset(context.refs.at(0));
  double sum = 0;
  for (float v : data.feature_data()) sum += v;
  return {{"rows", data.rows()}, {"feature_sum", sum}, {"zero_copy", !data.owned()}};
}

}  // namespace

void RegisterBuiltinTasks(TaskRegistry& registry) {
  registry.Register("train_trial", TrainTrial);
  registry.Register("echo", [](TaskContext&, const nlohmann::json& args) { return args; });
  registry.Register("sleep", Sleep);
  registry.Register("crash", Crash);
  registry.Register("fail", [](TaskContext&, const nlohmann::json& args) -> nlohmann::json {
    throw InputError(args.value("message", std::string("task failed on purpose")));
  });
  registry.Register("dataset_sum", ObjectChecksum);
}

}  // namespace scaleml::tasks
