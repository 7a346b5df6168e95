// Ray Tune's search space as JSON: each key a parameter, each value a constant or one of
// {"grid_search": [...]}, {"choice": [...]}, {"uniform": [lo, hi]}, {"loguniform": [lo, hi]},
// {"randint": [lo, hi]} (hi exclusive, as in Tune). As in Tune, the grid's cross product is run
// num_samples times, the sampled parameters drawn afresh for every trial.
// Thread-safety: immutable after Parse; Expand is const.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml {
class ParamSchemaBase;
}

namespace scaleml::tune {

class SearchSpace {
 public:
  // More trials than this is a mistake (a grid of many lists), not an experiment.
  static constexpr std::size_t kMaxTrials = 1'000'000;

  // An InputError naming the parameter and what is wrong with it (a key given twice included).
  static SearchSpace Parse(const std::string& json_text);
  static SearchSpace FromJson(const nlohmann::json& space);

  // One config (a flat JSON object) per trial, in Tune's order: sample 0 of every grid point,
  // then sample 1, ... An InputError past kMaxTrials.
  std::vector<nlohmann::json> Expand(int num_samples, std::uint64_t seed) const;
  // Config number `index` of that order (grid point index % GridSize(), sampled parameters drawn
  // from the stream (seed, index)): Expand's configs one at a time, for any number of trials.
  nlohmann::json Sample(std::size_t index, std::uint64_t seed) const;
  // Checks every parameter against the algorithm's schema before any trial runs: an unknown name,
  // a constant, grid or choice value out of range, or a distribution whose bounds leave the
  // range (or that draws fractions for an integer parameter) is an InputError naming it.
  void CheckParams(const std::string& algorithm, const ParamSchemaBase& schema) const;
  // Number of grid points (1 without grid_search).
  std::size_t GridSize() const;
  const nlohmann::json& json() const { return space_; }

 private:
  nlohmann::json space_;
};

// A config's values as the algorithm parameters' "name=value" text (strings unquoted).
std::string ParamText(const nlohmann::json& value);

}  // namespace scaleml::tune
