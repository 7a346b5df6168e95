// Search algorithms: which config the next trial gets. `grid` and `random` are Tune's
// BasicVariantGenerator (grid_search points crossed, distributions sampled afresh per trial,
// SearchSpace::Sample); `tpe` is Optuna's TPESampler with its defaults: independent Parzen
// estimators per parameter, the first n_startup_trials (10) configs random, then the finished
// trials split at gamma(n) = min(ceil(0.1 n), 25) into good and bad, 24 candidates drawn from the
// good trials' estimator and the one with the largest log l(x) - log g(x) taken; prior weight
// 1.0, magic clip, log scale for loguniform, grid_search and choice as categorical.
// Same seed and same results in the same order: the same configs.
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tune/SearchSpace.h"

namespace scaleml::tune {

enum class SearchKind { kGrid, kRandom, kTpe };
// "grid", "random" or "tpe"; an InputError naming --search otherwise.
SearchKind ParseSearchKind(const std::string& name);

class Searcher {
 public:
  virtual ~Searcher() = default;
  // The config of trial number `index` (0, 1, 2, ... in submission order).
  virtual nlohmann::json Suggest(std::size_t index) = 0;
  // A finished trial's metric (the value trials are ranked by); stopped_early with the round it
  // stopped at (Optuna's pruned trials: ranked after complete ones, later rounds first).
  virtual void OnComplete(const nlohmann::json& config, double metric, bool stopped_early,
                          int iteration) = 0;
};

std::unique_ptr<Searcher> MakeSearcher(SearchKind kind, const SearchSpace& space, bool maximize,
                                       std::uint64_t seed);

class VariantSearcher : public Searcher {
 public:
  VariantSearcher(SearchSpace space, std::uint64_t seed) : space_(std::move(space)), seed_(seed) {}
  nlohmann::json Suggest(std::size_t index) override { return space_.Sample(index, seed_); }
  void OnComplete(const nlohmann::json&, double, bool, int) override {}

 private:
  SearchSpace space_;
  std::uint64_t seed_;
};

struct TpeOptions {
  int n_startup_trials = 10;
  int n_ei_candidates = 24;
  double prior_weight = 1.0;
};

class TpeSearcher : public Searcher {
 public:
  TpeSearcher(SearchSpace space, bool maximize, std::uint64_t seed, TpeOptions options = {});
  nlohmann::json Suggest(std::size_t index) override;
  void OnComplete(const nlohmann::json& config, double metric, bool stopped_early,
                  int iteration) override;

  // One parameter's search domain, in the sampler's (transformed) space.
  struct Domain {
    enum class Kind { kFloat, kInt, kCategorical, kConstant } kind = Kind::kConstant;
    bool log = false;
    double low = 0, high = 0;  // transformed (log) bounds; ints: inclusive
    nlohmann::json choices;    // categorical; the value for a constant
  };

 private:
  struct Observation {
    std::size_t order;
    nlohmann::json config;
    double loss;
    bool pruned;
    int iteration;
  };
  nlohmann::json SampleParam(const Domain& domain, const std::string& name,
                             const std::vector<const Observation*>& below,
                             const std::vector<const Observation*>& above,
                             std::uint64_t stream) const;

  SearchSpace space_;
  bool maximize_;
  std::uint64_t seed_;
  TpeOptions options_;
  std::vector<std::pair<std::string, Domain>> domains_;
  std::vector<Observation> observations_;
};

// Optuna's default_gamma: min(ceil(0.1 n), 25).
int TpeGamma(int n);

}  // namespace scaleml::tune
