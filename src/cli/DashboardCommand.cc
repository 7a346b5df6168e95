// scaleml dashboard: the dashboard in the foreground, over benchmark folders (--results),
// experiments (--experiments) and, when a cluster runs on this machine (or --address names one),
// its nodes. The token: --token-file, SCALEML_TOKEN, the local cluster's, or a fresh one written
// to $SCALEML_HOME/dashboard_token (mode 0600); it is never printed.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/ClusterToken.h"
#include "cli/Commands.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "dashboard/DashboardServer.h"
#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/Daemon.h"

namespace scaleml::cli {
namespace {

struct DashboardFlags {
  dashboard::DashboardOptions options;
  std::string address = "auto";
  ClusterTokenFlags token;
};

std::vector<std::string> ExistingFolders(const std::vector<std::string>& dirs, const char* flag) {
  std::vector<std::string> absolute;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      throw InputError("dashboard: ", flag, " ", dir, ": no such folder");
    }
    absolute.push_back(std::filesystem::absolute(dir).lexically_normal().string());
  }
  return absolute;
}

}  // namespace

void RegisterDashboard(CLI::App& app) {
  auto flags = std::make_shared<DashboardFlags>();
  auto* command = app.add_subcommand(
      "dashboard", "Serve the dashboard (benchmark folders, experiments, this machine's cluster)");
  command->add_option("--results", flags->options.results,
                      "Benchmark folders (scaleml bench --out), or folders holding several");
  command->add_option("--experiments", flags->options.experiments,
                      "Tune storage folders (tune --storage), or folders holding several");
  command->add_option("--port", flags->options.port, "Port (0 = any free port)")
      ->capture_default_str();
  command->add_option("--host", flags->options.host, "Address to listen on")->capture_default_str();
  command
      ->add_option("--address", flags->address,
                   "The cluster whose nodes to show: auto (this machine's, if any), HOST:PORT, "
                   "or none")
      ->capture_default_str();
  AddClusterTokenFlags(command, &flags->token);
  command->callback([flags] {
    dashboard::DashboardOptions options = flags->options;
    options.results = ExistingFolders(options.results, "--results");
    options.experiments = ExistingFolders(options.experiments, "--experiments");
    std::string token = flags->token.Resolve();
    const std::string home = tasks::ScalemlHome();
    options.ddp_dir = home + "/ddp";
    if (flags->address == "auto") {
      if (auto cluster = tasks::ReadClusterFile(home)) {
        options.cluster_address = cluster->address;
        options.logs_dir = cluster->session_dir + "/logs";
        if (token.empty()) token = cluster->token;
      }
    } else if (flags->address != "none") {
      if (token.empty()) throw InputError("dashboard: --address needs the cluster token");
      options.cluster_address = flags->address;
    }
    std::string token_hint = "the token";
    if (token.empty()) {
      std::filesystem::create_directories(home);
      const std::string path = home + "/dashboard_token";
      token = tasks::RandomHex(16);
      const mode_t previous = umask(077);  // the file is never readable by others
      WriteFileAtomically(path, token + "\n");
      umask(previous);
      token_hint = "the token in " + path;
    } else if (!options.cluster_address.empty()) {
      token_hint = "the cluster token";
    }
    options.token = token;
    token.assign(token.size(), '*');
    dashboard::DashboardServer server(std::move(options));
    server.RunUntilSignal([&](const std::string& url) {
      std::printf("dashboard at %s: open %s?token=TOKEN with %s; stop with Ctrl-C\n", url.c_str(),
                  url.c_str(), token_hint.c_str());
      std::fflush(stdout);
    });
  });
}

}  // namespace scaleml::cli
