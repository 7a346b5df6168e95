// The ddp groups `scaleml launch` started on this machine: each launcher keeps a small state file
// in $SCALEML_HOME/ddp/ (its ranks, their state, the rank that failed; written atomically). The
// newest 50 are shown; a group still marked running whose launcher is gone is shown as lost.
// Thread-safety: reentrant (reads files only).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace scaleml::dashboard {

class DdpGroups {
 public:
  // An empty folder: no ddp groups are shown.
  explicit DdpGroups(std::string dir) : dir_(std::move(dir)) {}

  // {"groups": [state files, newest first]}.
  nlohmann::json List() const;

 private:
  std::string dir_;
};

}  // namespace scaleml::dashboard
