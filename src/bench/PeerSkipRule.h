// The peers' skip rule: a Python or torch-ddp peer that timed out or ran out of memory at a
// smaller size is not run again at a larger one; its record is written at once as skipped, with
// the reason ("exceeded the 300 s limit at 3GB") and the run that caused it. A timed-out peer is
// run again only when its new limit grows faster than its rows (every algorithm here takes at
// least time linear in the rows, so a smaller ratio of limit to rows cannot be enough).
// Thread-safety: functions of their arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/RunSpec.h"

namespace scaleml::bench {

struct PeerSkip {
  std::string reason;    // "exceeded the 300 s limit at 3GB", "ran out of memory at 5GB"
  nlohmann::json cause;  // the run that caused it: run_id, status, size, rows, timeout_s
};

// "python" and "torch-ddp": the engines that are peers, not scaleml.
bool IsPeerEngine(const std::string& engine);

// Why `spec` is not to be run, given the records written before it (this results file and the
// --peer-history ones): the smallest earlier run of the same peer (algorithm, engine, ranks and
// data variant) at fewer rows that timed out or ran out of memory, or that was itself skipped
// for such a cause. nullopt when `spec` is no peer or should run.
std::optional<PeerSkip> PeerSkipFor(const RunSpec& spec,
                                    const std::vector<nlohmann::json>& earlier);

}  // namespace scaleml::bench
