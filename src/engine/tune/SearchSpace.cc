#include "engine/tune/SearchSpace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "algo/ParamSchema.h"
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

// nlohmann::json keeps the last of two equal keys; the search space refuses them instead.
std::string FirstDuplicateKey(const std::string& json_text) {
  std::vector<std::vector<std::string>> keys_by_depth;
  std::string duplicate;
  auto watch = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    const auto level = static_cast<std::size_t>(depth);
    if (event == nlohmann::json::parse_event_t::object_start) {
      if (keys_by_depth.size() <= level) keys_by_depth.resize(level + 1);
      keys_by_depth[level].clear();
    } else if (event == nlohmann::json::parse_event_t::key && duplicate.empty()) {
      // A key event comes at depth d + 1 for an object that started at depth d.
      auto& seen = keys_by_depth.at(level - 1);
      const auto& key = parsed.get_ref<const std::string&>();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) duplicate = key;
      seen.push_back(key);
    }
    return true;
  };
  auto parsed = nlohmann::json::parse(json_text, watch, false);
  return parsed.is_discarded() ? "" : duplicate;
}

void CheckValue(const ParamSchemaBase& schema, const std::string& key, const nlohmann::json& value,
                const std::string& what) {
  if (value.is_object() || value.is_array() || value.is_null()) {
    throw InputError("search space: '", key, "': ", what, " ", value.dump(),
                     " is not a number, string or boolean");
  }
  try {
    schema.CheckValue(key, ParamText(value));
  } catch (const Error& e) {
    throw InputError("search space: '", key, "': ", what, " ", value.dump(), ": ", e.what());
  }
}

}  // namespace

SearchSpace SearchSpace::Parse(const std::string& json_text) {
  const std::string text = json_text.empty() ? "{}" : json_text;
  auto space = nlohmann::json::parse(text, nullptr, false);
  if (space.is_discarded()) throw InputError("search space: not valid JSON: ", json_text);
  const std::string duplicate = FirstDuplicateKey(text);
  if (!duplicate.empty()) {
    throw InputError("search space: key '", duplicate, "' is given twice; give it once");
  }
  return FromJson(space);
}

void SearchSpace::CheckParams(const std::string& algorithm, const ParamSchemaBase& schema) const {
  std::map<std::string, std::string> given_as;  // field -> the key naming it (aliases too)
  for (const auto& [key, value] : space_.items()) {
    const ParamInfo* info = schema.Find(key);
    if (info == nullptr) ThrowUnknownParam(algorithm, key, schema);
    auto [earlier, fresh] = given_as.emplace(info->name, key);
    if (!fresh) ThrowSameParamTwice(algorithm, earlier->second, key);
    if (!value.is_object()) {
      CheckValue(schema, key, value, "value");
      continue;
    }
    const std::string kind = value.begin().key();
    const nlohmann::json& spec = value.begin().value();
    if (kind == "grid_search" || kind == "choice") {
      for (const auto& item : spec) CheckValue(schema, key, item, kind);
      continue;
    }
    const bool integer_draws = kind == "randint";
    if (info->type != "float" && !(info->type == "int" && integer_draws)) {
      throw InputError("search space: '", key, "' is a ", info->type, " parameter (range ",
                       info->range_text, "): ", kind, " cannot draw its values",
                       info->type == "int" ? "; use randint or grid_search" : "; use choice");
    }
    // randint's high bound is exclusive: its largest draw is high - 1.
    nlohmann::json high = spec[1];
    if (integer_draws) high = spec[1].get<std::int64_t>() - 1;
    CheckValue(schema, key, spec[0], kind + " low");
    CheckValue(schema, key, high, kind + (integer_draws ? " high - 1" : " high"));
  }
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
    if (!IsSpec(value, "grid_search")) continue;
    const std::size_t points = value["grid_search"].size();
    // Saturates instead of wrapping: Expand refuses a grid this large anyway.
    size = points != 0 && size > kMaxTrials / points ? kMaxTrials + 1 : size * points;
  }
  return size;
}

std::vector<nlohmann::json> SearchSpace::Expand(int num_samples, std::uint64_t seed) const {
  if (num_samples < 1) throw InputError("tune: --num-samples must be at least 1");
  const std::size_t grid = GridSize();
  if (grid > kMaxTrials / static_cast<std::size_t>(num_samples)) {
    throw InputError("tune: the search space has ", grid > kMaxTrials ? "over " : "",
                     std::min(grid, kMaxTrials), " grid points x --num-samples ", num_samples,
                     ": more than ", kMaxTrials, " trials");
  }
  std::vector<nlohmann::json> configs;
  const std::size_t total = grid * static_cast<std::size_t>(num_samples);
  for (std::size_t index = 0; index < total; ++index) configs.push_back(Sample(index, seed));
  return configs;
}

nlohmann::json SearchSpace::Sample(std::size_t index, std::uint64_t seed) const {
  const std::size_t point = index % GridSize();
  Rng rng(seed, index);
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
      // In unsigned arithmetic: hi - lo may not fit an int64 (no overflow, no UB).
      const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
      config[key] = static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + rng.Below(span));
    } else {
      config[key] = value;
    }
  }
  return config;
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
