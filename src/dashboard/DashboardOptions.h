// What a dashboard serves and where it listens. Thread-safety: a plain value.
#pragma once

#include <string>
#include <vector>

namespace scaleml::dashboard {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 8265;                       // Ray's dashboard port; 0: any free port
  std::string token;                     // the cluster token: required
  std::string cluster_address;           // empty: no cluster (benchmark folders only)
  std::string logs_dir;                  // the cluster session's logs (trial logs), may be empty
  std::string ddp_dir;                   // $SCALEML_HOME/ddp, may be empty
  std::vector<std::string> experiments;  // tune storage folders, or folders of them
  std::vector<std::string> results;      // bench folders, or folders of them
  // Written (atomically) once the server listens: {"url", "port", "pid"}. May be empty.
  std::string ready_file;
  int threads = 32;  // connection threads (idle ones cost no CPU); more connections wait
};

}  // namespace scaleml::dashboard
