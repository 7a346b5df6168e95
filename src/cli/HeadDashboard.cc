#include "cli/HeadDashboard.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Log.h"
#include "dashboard/DashboardServer.h"
#include "engine/tasks/Daemon.h"

namespace scaleml::cli {

std::string StartHeadDashboard(const HeadDashboardFlags& flags, tasks::StartResult* started) {
  if (flags.port == 0) return "";
  if (flags.port < 0 || flags.port > 65535) {
    throw InputError("start: --dashboard-port must be 0..65535, not ", flags.port);
  }
  const std::string& home = started->home;
  dashboard::DashboardOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.token = started->cluster.token;
  options.cluster_address = started->cluster.address;
  options.logs_dir = started->cluster.session_dir + "/logs";
  options.ddp_dir = home + "/ddp";
  std::error_code ec;
  std::filesystem::create_directories(home + "/experiments", ec);
  options.experiments = {home + "/experiments"};
  for (const auto& dir : flags.experiments) {
    options.experiments.push_back(std::filesystem::absolute(dir).string());
  }
  for (const auto& dir : flags.results) {
    options.results.push_back(std::filesystem::absolute(dir).string());
  }
  options.ready_file = started->cluster.session_dir + "/dashboard.json";
  const std::string log_path = started->cluster.session_dir + "/logs/dashboard.log";
  const pid_t pid = tasks::SpawnDaemon(log_path, [options] {
    dashboard::DashboardServer server(options);
    return server.RunUntilSignal();
  });
  std::string url;
  for (int i = 0; i < 200 && url.empty(); ++i) {  // 10 s
    if (std::filesystem::exists(options.ready_file)) {
      auto ready = nlohmann::json::parse(ReadWholeFile(options.ready_file), nullptr, false);
      if (!ready.is_discarded()) url = ready.value("url", "");
    }
    if (url.empty()) {
      if (!tasks::ProcessAlive(pid, "scaleml")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (url.empty()) {
    tasks::StopProcess(pid, "scaleml", 2.0);
    std::string log;
    try {
      log = ReadWholeFile(log_path);
    } catch (const Error&) {
    }
    while (!log.empty() && log.back() == '\n') log.pop_back();
    const auto last = log.rfind('\n');
    LogWarning("start: the dashboard did not start",
               log.empty() ? "" : ": " + log.substr(last == std::string::npos ? 0 : last + 1),
               " (the cluster runs without it; --dashboard-port 0 turns it off)");
    return "";
  }
  started->cluster.dashboard_pid = pid;
  started->cluster.dashboard_url = url;
  tasks::WriteClusterFile(home, started->cluster);
  return url;
}

}  // namespace scaleml::cli
