// One trial of an experiment: its config, where and how it ran, its result. Statuses as Tune's:
// PENDING, RUNNING, TERMINATED (finished with a result), ERROR.
// Thread-safety: a plain value.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace scaleml::tune {

struct Trial {
  std::string trial_id;
  nlohmann::json config = nlohmann::json::object();
  std::string status = "PENDING";
  std::string node;
  std::string task_id;
  nlohmann::json result;  // TrainReport::ToJson() of a TERMINATED trial
  std::string error;
  int attempts = 0;
  double started = 0;  // unix seconds
  double finished = 0;
  double metric = 0;  // the --metric value of a TERMINATED trial
  bool final() const { return status == "TERMINATED" || status == "ERROR"; }
  nlohmann::json ToJson() const;
  static Trial FromJson(const nlohmann::json& j);
};

}  // namespace scaleml::tune
