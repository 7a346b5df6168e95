#include "engine/tune/ExperimentPlan.h"

#include <algorithm>
#include <cstdio>

#include "algo/ParamSchema.h"
#include "algo/Registry.h"
#include "core/Error.h"
#include "core/Stopwatch.h"

namespace scaleml::tune {
namespace {

const char* SearchName(SearchKind kind) {
  switch (kind) {
    case SearchKind::kGrid:
      return "grid";
    case SearchKind::kRandom:
      return "random";
    case SearchKind::kTpe:
      return "tpe";
  }
  return "random";
}

std::string TrialId(const std::string& name, std::size_t index) {
  char id[32];
  std::snprintf(id, sizeof(id), "_%05zu", index);
  return name + id;
}

}  // namespace

ExperimentPlan::ExperimentPlan(const TuneOptions& options, const ExperimentStorage& storage,
                               const std::string& mode)
    : storage_(storage), name_(options.name.empty() ? options.algo : options.name) {
  const bool maximize = mode == "max";
  if (auto saved = options.resume ? storage.LoadState() : std::nullopt) {
    state_ = *saved;
    if (state_.value("algo", "") != options.algo || state_.value("data", "") != options.data_path) {
      throw InputError("tune --resume: ", options.storage, " holds an experiment of ",
                       state_.value("algo", "?"), " on ", state_.value("data", "?"));
    }
    name_ = state_.value("name", name_);
    for (const auto& t : state_.at("trials")) {
      Trial trial;
      trial.trial_id = t.at("trial_id").get<std::string>();
      trial.config = t.at("config");
      if (auto done = storage.LoadFinishedTrial(trial.trial_id)) trial = *done;
      trials_.push_back(std::move(trial));
    }
  } else {
    SearchSpace space = SearchSpace::Parse(options.search_space);
    nlohmann::json merged = space.json();
    for (const auto& [key, value] : ParseParamPairs(options.params)) {
      if (merged.contains(key)) {
        throw InputError("tune: parameter ", key,
                         " is given both by --param and by --search-space; give it once");
      }
      merged[key] = value;
    }
    space = SearchSpace::FromJson(merged);
    // Before any data is loaded or trial submitted: a bad value would fail every trial.
    space.CheckParams(options.algo, *FindAlgorithm(options.algo).schema);
    if (options.num_samples == 0 || options.num_samples < -1) {
      throw InputError("tune: --num-samples must be at least 1, or -1 with --time-budget-s");
    }
    if (options.num_samples == -1 && !(options.time_budget_s > 0)) {
      throw InputError("tune: --num-samples -1 samples until --time-budget-s ends; give one");
    }
    long long planned = -1;
    if (options.num_samples > 0) {
      // Tune's order: the grid crossed num_samples times (Expand checks the total); TPE: one
      // config per sample.
      const std::size_t grid = options.search == SearchKind::kTpe ? 1 : space.GridSize();
      if (grid > SearchSpace::kMaxTrials / static_cast<std::size_t>(options.num_samples)) {
        throw InputError("tune: the search space has ",
                         grid > SearchSpace::kMaxTrials ? "over " : "",
                         std::min(grid, SearchSpace::kMaxTrials), " grid points x --num-samples ",
                         options.num_samples, ": more than ", SearchSpace::kMaxTrials, " trials");
      }
      planned = static_cast<long long>(grid) * options.num_samples;
    }
    state_ = {{"algo", options.algo},
              {"data", options.data_path},
              {"name", name_},
              {"metric", options.metric},
              {"mode", mode},
              {"search", SearchName(options.search)},
              {"search_seed", options.search_seed},
              {"space", space.json()},
              {"planned", planned},
              {"trials", nlohmann::json::array()}};
    SaveState();
  }
  planned_ = state_.value("planned", static_cast<long long>(state_["trials"].size()));
  const SearchSpace space = SearchSpace::FromJson(state_.value("space", nlohmann::json::object()));
  searcher_ = MakeSearcher(ParseSearchKind(state_.value("search", "random")), space, maximize,
                           state_.value("search_seed", std::uint64_t{0}));
  for (std::size_t i = 0; i < trials_.size(); ++i) {
    if (trials_[i].status == TrialStatus::kTerminated) {
      OnTrialComplete(trials_[i]);
    } else {
      resumable_.push_back(i);
    }
  }
}

void ExperimentPlan::SaveState() const { storage_.SaveState(state_); }

bool ExperimentPlan::HasMore() const {
  return next_resumable_ < resumable_.size() || planned_ < 0 ||
         static_cast<long long>(trials_.size()) < planned_;
}

long long ExperimentPlan::Remaining() const {
  if (planned_ < 0) return -1;
  return static_cast<long long>(resumable_.size() - next_resumable_) + planned_ -
         static_cast<long long>(trials_.size());
}

std::optional<std::size_t> ExperimentPlan::NextTrial() {
  if (next_resumable_ < resumable_.size()) return resumable_[next_resumable_++];
  if (!HasMore()) return std::nullopt;
  Stopwatch clock;
  Trial trial;
  trial.trial_id = TrialId(name_, trials_.size());
  trial.config = searcher_->Suggest(trials_.size());
  searcher_s_ += clock.Seconds();
  state_["trials"].push_back({{"trial_id", trial.trial_id}, {"config", trial.config}});
  SaveState();
  trials_.push_back(std::move(trial));
  return trials_.size() - 1;
}

void ExperimentPlan::OnTrialComplete(const Trial& trial) {
  Stopwatch clock;
  searcher_->OnComplete(trial.config, trial.metric, trial.stopped_early, trial.iteration);
  searcher_s_ += clock.Seconds();
}

}  // namespace scaleml::tune
