#include "engine/tune/SearchSpace.h"

#include <charconv>
#include <cmath>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml::tune {
namespace {

bool IsSpec(const nlohmann::json& value, const char* kind) {
  return value.is_object() && value.size() == 1 && value.contains(kind);
}

void CheckRange(const std::string& key, const char* kind, const nlohmann::json& range,
                bool integer) {
  if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number()) {
    throw InputError("search space: '", key, "': ", kind, " needs [low, high] numbers");
  }
  if (integer && (!range[0].is_number_integer() || !range[1].is_number_integer())) {
    throw InputError("search space: '", key, "': randint needs integer bounds");
  }
  if (!(range[0].get<double>() < range[1].get<double>())) {
    throw InputError("search space: '", key, "': ", kind, " needs low < high");
  }
  if (std::string(kind) == "loguniform" && range[0].get<double>() <= 0) {
    throw InputError("search space: '", key, "': loguniform needs low > 0");
  }
}

}  // namespace

SearchSpace SearchSpace::Parse(const std::string& json_text) {
  auto space = nlohmann::json::parse(json_text.empty() ? "{}" : json_text, nullptr, false);
  if (space.is_discarded()) throw InputError("search space: not valid JSON: ", json_text);
  return FromJson(space);
}

SearchSpace SearchSpace::FromJson(const nlohmann::json& space) {
  if (!space.is_object()) throw InputError("search space: must be a JSON object {\"param\": ...}");
  for (const auto& [key, value] : space.items()) {
    if (!value.is_object()) continue;  // a constant
    if (IsSpec(value, "grid_search") || IsSpec(value, "choice")) {
      const auto& list = value.begin().value();
      if (!list.is_array() || list.empty()) {
        throw InputError("search space: '", key, "': ", value.begin().key(),
                         " needs a non-empty list");
      }
    } else if (IsSpec(value, "uniform") || IsSpec(value, "loguniform")) {
      CheckRange(key, value.begin().key().c_str(), value.begin().value(), false);
    } else if (IsSpec(value, "randint")) {
      CheckRange(key, "randint", value["randint"], true);
    } else {
      throw InputError("search space: '", key, "': unknown spec ", value.dump(),
                       " (use grid_search, choice, uniform, loguniform or randint)");
    }
  }
  SearchSpace result;
  result.space_ = space;
  return result;
}

std::size_t SearchSpace::GridSize() const {
  std::size_t size = 1;
  for (const auto& [key, value] : space_.items()) {
    if (IsSpec(value, "grid_search")) size *= value["grid_search"].size();
  }
  return size;
}

std::vector<nlohmann::json> SearchSpace::Expand(int num_samples, std::uint64_t seed) const {
  if (num_samples < 1) throw InputError("tune: --num-samples must be at least 1");
  const std::size_t grid = GridSize();
  std::vector<nlohmann::json> configs;
  for (int sample = 0; sample < num_samples; ++sample) {
    for (std::size_t point = 0; point < grid; ++point) {
      const std::uint64_t trial = configs.size();
      Rng rng(seed, trial);
      nlohmann::json config = nlohmann::json::object();
      std::size_t stride = 1;
      for (const auto& [key, value] : space_.items()) {
        if (IsSpec(value, "grid_search")) {
          const auto& list = value["grid_search"];
          config[key] = list[(point / stride) % list.size()];
          stride *= list.size();
        } else if (IsSpec(value, "choice")) {
          const auto& list = value["choice"];
          config[key] = list[rng.Below(list.size())];
        } else if (IsSpec(value, "uniform")) {
          const double lo = value["uniform"][0], hi = value["uniform"][1];
          config[key] = lo + (hi - lo) * rng.Uniform();
        } else if (IsSpec(value, "loguniform")) {
          const double lo = std::log(value["loguniform"][0].get<double>());
          const double hi = std::log(value["loguniform"][1].get<double>());
          config[key] = std::exp(lo + (hi - lo) * rng.Uniform());
        } else if (IsSpec(value, "randint")) {
          const std::int64_t lo = value["randint"][0], hi = value["randint"][1];
          config[key] =
              lo + static_cast<std::int64_t>(rng.Below(static_cast<std::uint64_t>(hi - lo)));
        } else {
          config[key] = value;
        }
      }
      configs.push_back(std::move(config));
    }
  }
  return configs;
}

std::string ParamText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {  // the shortest text that reads back as the same double
    char text[64];
    auto [end, ec] = std::to_chars(text, text + sizeof(text), value.get<double>());
    return ec == std::errc() ? std::string(text, end) : value.dump();
  }
  return value.dump();
}

}  // namespace scaleml::tune
