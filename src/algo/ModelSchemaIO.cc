#include "algo/ModelSchemaIO.h"

#include <algorithm>

namespace scaleml {
namespace {

// Far above any real table; bounds what a damaged count can make us allocate.
constexpr std::uint64_t kMaxColumns = 1u << 24;
constexpr std::uint64_t kMaxCategories = 1u << 24;

void PutStrings(BinaryWriter& out, const std::vector<std::string>& strings) {
  out.Put<std::uint64_t>(strings.size());
  for (const auto& s : strings) out.PutString(s);
}

std::vector<std::string> GetStrings(BinaryReader& in, std::uint64_t max_count, const char* what) {
  const auto count = in.Get<std::uint64_t>();
  if (count > max_count) throw in.Corrupt(StrCat("implausible number of ", what));
  std::vector<std::string> strings;
  strings.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) strings.push_back(in.GetString());
  return strings;
}

std::uint8_t GetFlag(BinaryReader& in, const char* what) {
  const auto value = in.Get<std::uint8_t>();
  if (value > 1) throw in.Corrupt(StrCat("flag ", what, " is neither 0 nor 1"));
  return value;
}

}  // namespace

void WriteModelSchema(BinaryWriter& out, const Schema& schema) {
  out.Put<std::uint64_t>(schema.columns.size());
  for (const auto& column : schema.columns) {
    out.PutString(column.name);
    out.Put<std::uint8_t>(static_cast<std::uint8_t>(column.type));
    out.Put<std::uint8_t>(column.is_target ? 1 : 0);
    out.Put<std::uint8_t>(column.has_time ? 1 : 0);
  }
  out.Put<std::uint64_t>(schema.features.size());
  for (const auto& feature : schema.features) {
    out.Put<std::uint8_t>(static_cast<std::uint8_t>(feature.kind));
    PutStrings(out, feature.categories);
  }
  PutStrings(out, schema.classes);
}

Schema ReadModelSchema(BinaryReader& in) {
  Schema schema;
  const auto columns = in.Get<std::uint64_t>();
  if (columns > kMaxColumns) throw in.Corrupt("implausible number of source columns");
  schema.columns.resize(columns);
  for (auto& column : schema.columns) {
    column.name = in.GetString();
    const auto type = in.Get<std::uint8_t>();
    if (type > static_cast<std::uint8_t>(ColumnType::kIgnored)) {
      throw in.Corrupt(StrCat("unknown column type ", int{type}));
    }
    column.type = static_cast<ColumnType>(type);
    column.is_target = GetFlag(in, "is_target") != 0;
    column.has_time = GetFlag(in, "has_time") != 0;
  }
  const auto features = in.Get<std::uint64_t>();
  if (features > kMaxColumns) throw in.Corrupt("implausible number of features");
  schema.features.resize(features);
  for (auto& feature : schema.features) {
    const auto kind = in.Get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(FeatureKind::kCategorical)) {
      throw in.Corrupt(StrCat("unknown feature kind ", int{kind}));
    }
    feature.kind = static_cast<FeatureKind>(kind);
    feature.categories = GetStrings(in, kMaxCategories, "categories");
    if (feature.kind == FeatureKind::kNumeric && !feature.categories.empty()) {
      throw in.Corrupt("a numeric feature with categories");
    }
    if (std::adjacent_find(feature.categories.begin(), feature.categories.end(),
                           [](const auto& a, const auto& b) { return !(a < b); }) !=
        feature.categories.end()) {
      throw in.Corrupt("categories not sorted and distinct");
    }
  }
  schema.classes = GetStrings(in, kMaxCategories, "classes");
  return schema;
}

}  // namespace scaleml
