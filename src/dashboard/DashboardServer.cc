#include "dashboard/DashboardServer.h"

#include <signal.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdio>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "dashboard/AssetTable.h"
#include "dashboard/BoundedTaskQueue.h"

namespace scaleml::dashboard {
namespace {

constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void SecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

std::string LoginPage() {
  const Asset* page = AssetTable::Find("/login.html");
  return page != nullptr ? std::string(page->body) : std::string("token required\n");
}

void Unauthorized(const httplib::Request& req, httplib::Response& res) {
  res.status = 401;
  if (req.path.starts_with("/api/") || req.path == "/metrics") {
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("{\"error\":\"unauthorized: send Authorization: Bearer TOKEN\"}",
                    "application/json");
  } else {
    res.set_content(LoginPage(), "text/html; charset=utf-8");
  }
}

}  // namespace

DashboardServer::DashboardServer(DashboardOptions options)
    : options_(std::move(options)), auth_(options_.token), api_(options_) {
  // The token is needed only by the control store's connection (held by the API) and auth_.
  options_.token.assign(options_.token.size(), '*');
  if (options_.port < 0 || options_.port > 65535) {
    throw InputError("dashboard: --port must be 0..65535, not ", options_.port);
  }
  if (options_.threads < 1 || options_.threads > 256) {
    throw InputError("dashboard: threads must be 1..256");
  }
}

DashboardServer::~DashboardServer() { Stop(); }

std::string DashboardServer::url() const {
  const bool v6 = options_.host.find(':') != std::string::npos;
  return StrCat("http://", v6 ? "[" : "", options_.host, v6 ? "]" : "", ":", port_, "/");
}

void DashboardServer::Routes() {
  httplib::Server& s = *server_;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    SecurityHeaders(res);
    if (req.path == "/healthz" || req.path == "/login")
      return httplib::Server::HandlerResponse::Unhandled;
    if (req.path == "/" && req.has_param("token"))
      return httplib::Server::HandlerResponse::Unhandled;
    if (auth_.Authorized(req.get_header_value("Authorization"), req.get_header_value("Cookie"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Unauthorized(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  auto start_session = [this](httplib::Response& res) {
    res.set_header("Set-Cookie", auth_.SessionCookie(auth_.NewSession()));
    res.status = 303;
    res.set_header("Location", "/");  // the token leaves the address bar and the history
  };
  s.Get("/login", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(LoginPage(), "text/html; charset=utf-8");
  });
  s.Post("/login", [this, start_session](const httplib::Request& req, httplib::Response& res) {
    if (auth_.TokenMatches(req.get_param_value("token"))) {
      start_session(res);
    } else {
      Unauthorized(req, res);
    }
  });
  s.Get("/logout", [this](const httplib::Request& req, httplib::Response& res) {
    auth_.EndSession(
        SessionAuth::CookieValue(req.get_header_value("Cookie"), SessionAuth::kCookieName));
    res.set_header("Set-Cookie", StrCat(SessionAuth::kCookieName,
                                        "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"));
    res.status = 303;
    res.set_header("Location", "/login");
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(api_.Metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/.*", [this](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> query;
    for (const auto& [key, value] : req.params) query.emplace(key, value);
    ApiResponse answer = api_.Get(req.path, query);
    res.status = answer.status;
    if (answer.content_type.starts_with("image/")) {
      // A figure from a results folder (an SVG may hold script): never run it in our origin.
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    }
    res.set_content(std::move(answer.body), answer.content_type.c_str());
  });
  s.Get("/.*", [this, start_session](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/" && req.has_param("token")) {
      if (auth_.TokenMatches(req.get_param_value("token"))) {
        start_session(res);
      } else {
        Unauthorized(req, res);
      }
      return;
    }
    const Asset* asset = AssetTable::Find(req.path);
    if (asset == nullptr || asset->path == "/login.html") {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("{\"error\":\"internal error\"}", "application/json");
  });
}

void DashboardServer::Start() {
  server_ = std::make_unique<httplib::Server>();
  const auto threads = static_cast<std::size_t>(options_.threads);
  server_->new_task_queue = [threads] { return new BoundedTaskQueue(threads, 4 * threads); };
  server_->set_read_timeout(3, 0);
  server_->set_write_timeout(3, 0);
  server_->set_keep_alive_timeout(3);
  server_->set_keep_alive_max_count(100);
  server_->set_payload_max_length(16 * 1024);
  Routes();
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ <= 0) port_ = 0;
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : 0;
  }
  if (port_ == 0) {
    server_.reset();
    throw Failure("dashboard: cannot listen on ", options_.host, ":", options_.port,
                  " (in use? give another --port, or 0 for any free port)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  if (!options_.ready_file.empty()) {
    const nlohmann::json ready = {{"url", url()}, {"port", port_}, {"pid", getpid()}};
    WriteFileAtomically(options_.ready_file, ready.dump() + "\n");
  }
}

void DashboardServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

int DashboardServer::RunUntilSignal(const std::function<void(const std::string&)>& on_ready) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  // Blocked before any thread starts, so every thread inherits the mask and only sigwait sees
  // them: no polling while idle.
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Start();
  if (on_ready) on_ready(url());
  int signal = 0;
  sigwait(&stop_signals, &signal);
  Stop();
  if (!options_.ready_file.empty()) unlink(options_.ready_file.c_str());
  return 0;
}

}  // namespace scaleml::dashboard
