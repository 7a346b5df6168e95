// Parameters of one algorithm: a plain struct with defaults, plus a schema that names each field
// with its bounds and a one-line description. The schema parses `--param k=v` pairs once, at
// entry, and an unknown name or out-of-range value is an input error that lists what is valid.
// Thread-safety: a built schema is immutable and may be shared.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace scaleml {

// Parameters as the user gave them: name -> text.
using ParamMap = std::map<std::string, std::string>;

// Parses "k=v" strings (from --param) into a map; an input error for text without '=' and for a
// name given twice (`--param C=1 --param C=2` would otherwise silently keep one of them).
ParamMap ParseParamPairs(const std::vector<std::string>& pairs);

// One field's description, independent of the struct type (for help and errors).
struct ParamInfo {
  std::string name;
  std::string type;  // "int", "float", "bool", "string"
  std::string default_text;
  std::string range_text;  // "[1, 1000000]", "one of gini|entropy", ...
  std::string description;
};

// Untyped view of a schema, so the registry can list and document any algorithm's parameters.
class ParamSchemaBase {
 public:
  virtual ~ParamSchemaBase() = default;
  virtual const std::vector<ParamInfo>& Infos() const = 0;
  // A help table: name, type, default, range, description.
  std::string HelpText() const;
  // "a, b, c": for errors that list the valid names.
  std::string NamesText() const;
  // The parameter called `name` (or one of its aliases); null when there is none.
  virtual const ParamInfo* Find(const std::string& name) const = 0;
  // An input error, as Parse would give, when `text` is not a valid value of `name`.
  virtual void CheckValue(const std::string& name, const std::string& text) const = 0;
};

// One option of a choice parameter bound to an enum: its spelling and the value it stands for.
template <class E>
struct ChoiceOption {
  std::string text;
  E value;
};

template <class P>
class ParamSchema final : public ParamSchemaBase {
 public:
  explicit ParamSchema(std::string algorithm) : algorithm_(std::move(algorithm)) {}

  ParamSchema& Int(const std::string& name, int P::*field, long long lo, long long hi,
                   const std::string& description);
  ParamSchema& Double(const std::string& name, double P::*field, double lo, double hi,
                      const std::string& description);
  ParamSchema& Bool(const std::string& name, bool P::*field, const std::string& description);
  ParamSchema& Choice(const std::string& name, std::string P::*field,
                      std::vector<std::string> options, const std::string& description);
  // A choice bound to an enum field: the text is parsed once, here, and the algorithm branches
  // on the enum. `options` lists every value the field may hold, each with its spelling.
  template <class E>
  requires std::is_enum_v<E> ParamSchema& Choice(const std::string& name, E P::*field,
                                                 std::vector<ChoiceOption<E>> options,
                                                 const std::string& description);
  // Another name for an existing field (LightGBM's and scikit-learn's spellings).
  ParamSchema& Alias(const std::string& alias, const std::string& name);

  // Defaults overridden by `values`; every value validated.
  P Parse(const ParamMap& values) const;
  // Every field's current value as text (for reports and saved models).
  ParamMap ToMap(const P& params) const;
  const std::vector<ParamInfo>& Infos() const override { return infos_; }
  const ParamInfo* Find(const std::string& name) const override;
  void CheckValue(const std::string& name, const std::string& text) const override;

 private:
  const std::string& CanonicalName(const std::string& name) const;
  // Setters get the schema they belong to, so a copied schema never refers to the original.
  using Setter = std::function<void(P&, const std::string&, const ParamSchema&)>;
  using Getter = std::function<std::string(const P&)>;
  void Add(ParamInfo info, Setter set, Getter get);

  std::string algorithm_;
  std::vector<ParamInfo> infos_;
  std::map<std::string, Setter> setters_;
  std::map<std::string, Getter> getters_;
  std::map<std::string, std::string> aliases_;
};

// Conversions shared by every schema; each throws an input error naming algorithm and field.
long long ParseIntParam(const std::string& algorithm, const std::string& name,
                        const std::string& text, long long lo, long long hi);
double ParseDoubleParam(const std::string& algorithm, const std::string& name,
                        const std::string& text, double lo, double hi);
bool ParseBoolParam(const std::string& algorithm, const std::string& name, const std::string& text);
std::string FormatDouble(double value);
std::string RangeText(long long lo, long long hi);
std::string RangeText(double lo, double hi);
std::string ChoiceText(const std::vector<std::string>& options);
[[noreturn]] void ThrowInvalidChoice(const std::string& algorithm, const std::string& name,
                                     const std::string& text, const std::string& range);
[[noreturn]] void ThrowUnknownParam(const std::string& algorithm, const std::string& name,
                                    const ParamSchemaBase& schema);
[[noreturn]] void ThrowSameParamTwice(const std::string& algorithm, const std::string& first,
                                      const std::string& second);

template <class P>
void ParamSchema<P>::Add(ParamInfo info, Setter set, Getter get) {
  setters_[info.name] = std::move(set);
  getters_[info.name] = std::move(get);
  infos_.push_back(std::move(info));
}

template <class P>
ParamSchema<P>& ParamSchema<P>::Int(const std::string& name, int P::*field, long long lo,
                                    long long hi, const std::string& description) {
  P defaults;
  Add(
      {name, "int", std::to_string(defaults.*field), RangeText(lo, hi), description},
      [=](P& p, const std::string& text, const ParamSchema& self) {
        p.*field = static_cast<int>(ParseIntParam(self.algorithm_, name, text, lo, hi));
      },
      [=](const P& p) { return std::to_string(p.*field); });
  return *this;
}

template <class P>
ParamSchema<P>& ParamSchema<P>::Double(const std::string& name, double P::*field, double lo,
                                       double hi, const std::string& description) {
  P defaults;
  Add(
      {name, "float", FormatDouble(defaults.*field), RangeText(lo, hi), description},
      [=](P& p, const std::string& text, const ParamSchema& self) {
        p.*field = ParseDoubleParam(self.algorithm_, name, text, lo, hi);
      },
      [=](const P& p) { return FormatDouble(p.*field); });
  return *this;
}

template <class P>
ParamSchema<P>& ParamSchema<P>::Bool(const std::string& name, bool P::*field,
                                     const std::string& description) {
  P defaults;
  Add(
      {name, "bool", defaults.*field ? "true" : "false", "true|false", description},
      [=](P& p, const std::string& text, const ParamSchema& self) {
        p.*field = ParseBoolParam(self.algorithm_, name, text);
      },
      [=](const P& p) { return std::string(p.*field ? "true" : "false"); });
  return *this;
}

template <class P>
ParamSchema<P>& ParamSchema<P>::Choice(const std::string& name, std::string P::*field,
                                       std::vector<std::string> options,
                                       const std::string& description) {
  P defaults;
  std::string range = ChoiceText(options);
  Add(
      {name, "string", defaults.*field, range, description},
      [=](P& p, const std::string& text, const ParamSchema& self) {
        for (const auto& option : options) {
          if (option == text) {
            p.*field = text;
            return;
          }
        }
        ThrowInvalidChoice(self.algorithm_, name, text, range);
      },
      [=](const P& p) { return p.*field; });
  return *this;
}

template <class P>
template <class E>
requires std::is_enum_v<E> ParamSchema<P>
&ParamSchema<P>::Choice(const std::string& name, E P::*field, std::vector<ChoiceOption<E>> options,
                        const std::string& description) {
  std::vector<std::string> texts;
  for (const auto& option : options) texts.push_back(option.text);
  const std::string range = ChoiceText(texts);
  auto text_of = [options, name](E value) -> std::string {
    for (const auto& option : options) {
      if (option.value == value) return option.text;
    }
    ThrowInvalidChoice("schema", name, std::to_string(static_cast<long long>(value)),
                       "a listed option");
  };
  P defaults;
  Add(
      {name, "string", text_of(defaults.*field), range, description},
      [=](P& p, const std::string& text, const ParamSchema& self) {
        for (const auto& option : options) {
          if (option.text == text) {
            p.*field = option.value;
            return;
          }
        }
        ThrowInvalidChoice(self.algorithm_, name, text, range);
      },
      [=](const P& p) { return text_of(p.*field); });
  return *this;
}

template <class P>
ParamSchema<P>& ParamSchema<P>::Alias(const std::string& alias, const std::string& name) {
  aliases_[alias] = name;
  return *this;
}

template <class P>
const std::string& ParamSchema<P>::CanonicalName(const std::string& name) const {
  auto alias = aliases_.find(name);
  return alias == aliases_.end() ? name : alias->second;
}

template <class P>
const ParamInfo* ParamSchema<P>::Find(const std::string& name) const {
  const std::string& canonical = CanonicalName(name);
  for (const auto& info : infos_) {
    if (info.name == canonical) return &info;
  }
  return nullptr;
}

template <class P>
void ParamSchema<P>::CheckValue(const std::string& name, const std::string& text) const {
  auto setter = setters_.find(CanonicalName(name));
  if (setter == setters_.end()) ThrowUnknownParam(algorithm_, name, *this);
  P scratch;
  setter->second(scratch, text, *this);
}

template <class P>
P ParamSchema<P>::Parse(const ParamMap& values) const {
  P params;
  std::map<std::string, std::string> given_as;  // field -> the name the user gave it under
  for (const auto& [key, text] : values) {
    const std::string& name = CanonicalName(key);
    auto setter = setters_.find(name);
    if (setter == setters_.end()) ThrowUnknownParam(algorithm_, key, *this);
    // An alias and its field both given: which one wins would be an accident of map order.
    auto [earlier, fresh] = given_as.emplace(name, key);
    if (!fresh) ThrowSameParamTwice(algorithm_, earlier->second, key);
    setter->second(params, text, *this);
  }
  return params;
}

template <class P>
ParamMap ParamSchema<P>::ToMap(const P& params) const {
  ParamMap out;
  for (const auto& [name, get] : getters_) out[name] = get(params);
  return out;
}

}  // namespace scaleml
