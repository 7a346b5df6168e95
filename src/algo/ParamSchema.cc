#include "algo/ParamSchema.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/Error.h"

namespace scaleml {

ParamMap ParseParamPairs(const std::vector<std::string>& pairs) {
  ParamMap out;
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("--param '", pair, "': expected name=value, for example num_leaves=63");
    }
    auto [it, fresh] = out.emplace(pair.substr(0, eq), pair.substr(eq + 1));
    if (!fresh) {
      throw InputError("--param ", it->first, " is given twice (", it->first, "=", it->second,
                       " and ", pair, "); give each parameter once");
    }
  }
  return out;
}

std::string ParamSchemaBase::HelpText() const {
  std::ostringstream out;
  for (const auto& info : Infos()) {
    char line[256];
    std::snprintf(line, sizeof(line), "  %-26s %-6s %-10s %-24s ", info.name.c_str(),
                  info.type.c_str(), info.default_text.c_str(), info.range_text.c_str());
    out << line << info.description << "\n";
  }
  return out.str();
}

std::string ParamSchemaBase::NamesText() const {
  std::string out;
  for (const auto& info : Infos()) out += (out.empty() ? "" : ", ") + info.name;
  return out;
}

long long ParseIntParam(const std::string& algorithm, const std::string& name,
                        const std::string& text, long long lo, long long hi) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw InputError(algorithm, ": parameter ", name, "='", text, "' is not an integer");
  }
  if (value < lo || value > hi) {
    throw InputError(algorithm, ": parameter ", name, "=", value, " is out of range [", lo, ", ",
                     hi, "]");
  }
  return value;
}

double ParseDoubleParam(const std::string& algorithm, const std::string& name,
                        const std::string& text, double lo, double hi) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    throw InputError(algorithm, ": parameter ", name, "='", text, "' is not a finite number");
  }
  if (value < lo || value > hi) {
    throw InputError(algorithm, ": parameter ", name, "=", text, " is out of range [",
                     FormatDouble(lo), ", ", FormatDouble(hi), "]");
  }
  return value;
}

bool ParseBoolParam(const std::string& algorithm, const std::string& name,
                    const std::string& text) {
  if (text == "true" || text == "1" || text == "True" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "False" || text == "no") return false;
  throw InputError(algorithm, ": parameter ", name, "='", text, "' is not true or false");
}

std::string FormatDouble(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string RangeText(long long lo, long long hi) { return StrCat("[", lo, ", ", hi, "]"); }

std::string RangeText(double lo, double hi) {
  return StrCat("[", FormatDouble(lo), ", ", FormatDouble(hi), "]");
}

std::string ChoiceText(const std::vector<std::string>& options) {
  std::string text = "one of ";
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (i > 0) text += '|';
    text += options[i];
  }
  return text;
}

void ThrowInvalidChoice(const std::string& algorithm, const std::string& name,
                        const std::string& text, const std::string& range) {
  throw InputError(algorithm, ": parameter ", name, "='", text, "' is not valid (expected ", range,
                   ")");
}

void ThrowUnknownParam(const std::string& algorithm, const std::string& name,
                       const ParamSchemaBase& schema) {
  throw InputError(algorithm, ": unknown or invalid parameter ", name,
                   "; valid parameters: ", schema.NamesText());
}

}  // namespace scaleml

namespace scaleml {

void ThrowSameParamTwice(const std::string& algorithm, const std::string& first,
                         const std::string& second) {
  throw InputError(algorithm, ": parameters ", first, " and ", second,
                   " are the same parameter; give it once");
}

}  // namespace scaleml
