// `scaleml train --engine tasks`: one trial of the request's config on the tasks engine (the
// cluster at --address auto, or a local one for the run), returning the trial's report as
// RunTrainJob wrote it, plus the node it ran on.
// Thread-safety: call from a single-threaded process (a local cluster is forked).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/TrainJob.h"

namespace scaleml::tune {

nlohmann::json RunTasksTrain(const TrainRequest& request);
// A short human-readable report of RunTasksTrain's result, a line per item.
std::string TasksTrainText(const nlohmann::json& report);

}  // namespace scaleml::tune
