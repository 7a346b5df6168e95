// The dashboard's HTTP server (cpp-httplib): the page and its assets, the JSON API, /metrics and
// /healthz, behind the cluster token (SessionAuth). Hardening: a bounded pool of connection
// threads (BoundedTaskQueue), read and write timeouts of 3 s per socket operation, keep-alive
// connections idle at most 3 s, request bodies capped at 16 KiB (only the login form has one),
// headers and URIs capped by the library (8 KiB), keep-alive limited, no access log (tokens are
// never logged), and on every answer a Content-Security-Policy that allows only the dashboard's own
// scripts, nosniff, no referrer, no framing and no caching. Thread-safety: Start, Stop and Wait
// from one thread; handlers run on the pool's threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "dashboard/DashboardApi.h"
#include "dashboard/DashboardOptions.h"
#include "dashboard/SessionAuth.h"

namespace httplib {
class Server;
}

namespace scaleml::dashboard {

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions options);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds (a Failure when the address is taken) and serves on a thread of its own.
  void Start();
  int port() const { return port_; }
  std::string url() const;
  void Stop();
  // Start, call on_ready (if any) with the URL, then serve until SIGTERM, SIGINT or SIGHUP;
  // returns 0 (the daemon's and the command's body).
  int RunUntilSignal(const std::function<void(const std::string& url)>& on_ready = {});

 private:
  void Routes();

  DashboardOptions options_;
  SessionAuth auth_;
  DashboardApi api_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace scaleml::dashboard
