#include "unit/tasks/TestTasks.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

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

void RegisterTestTasks(TaskRegistry& registry) {
  registry.Register("sleep", Sleep);
  registry.Register("crash", Crash);
  registry.Register("fail", [](TaskContext&, const nlohmann::json& args) -> nlohmann::json {
    throw InputError(args.value("message", std::string("task failed on purpose")));
  });
  registry.Register("dataset_sum", ObjectChecksum);
}

const TaskRegistry& TestRegistry() {
  static const TaskRegistry registry = [] {
    TaskRegistry r;
    RegisterBuiltinTasks(r);
    RegisterTestTasks(r);
    return r;
  }();
  return registry;
}

}  // namespace scaleml::tasks
