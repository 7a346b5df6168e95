#include "data/SchemaIO.h"

#include <cstdint>
#include <string>
#include <vector>

namespace scaleml {
namespace {

constexpr std::uint32_t kSchemaFormat = 1;
constexpr std::uint64_t kMaxCategories = 1ULL << 24;  // codes are exact integers in float

void PutStrings(BinaryWriter& out, const std::vector<std::string>& strings) {
  out.Put<std::uint64_t>(strings.size());
  for (const auto& s : strings) out.PutString(s);
}

// A count of items of at least `min_item_bytes` each, checked against the bytes left.
std::uint64_t GetCount(BinaryReader& in, std::size_t min_item_bytes, const char* what) {
  const auto count = in.Get<std::uint64_t>();
  if (count > in.remaining() / min_item_bytes) {
    throw in.Corrupt(StrCat("schema: ", count, " ", what, " do not fit in the bytes left"));
  }
  return count;
}

std::vector<std::string> GetStrings(BinaryReader& in, const char* what) {
  std::vector<std::string> strings(GetCount(in, sizeof(std::uint64_t), what));
  for (auto& s : strings) s = in.GetString();
  return strings;
}

template <class Enum>
Enum GetEnum(BinaryReader& in, Enum last, const char* what) {
  const auto value = in.Get<std::uint8_t>();
  if (value > static_cast<std::uint8_t>(last)) {
    throw in.Corrupt(StrCat("schema: unknown ", what, " ", static_cast<int>(value)));
  }
  return static_cast<Enum>(value);
}

bool GetBool(BinaryReader& in) {
  const auto value = in.Get<std::uint8_t>();
  if (value > 1) throw in.Corrupt("schema: a flag that is neither 0 nor 1");
  return value == 1;
}

}  // namespace

void WriteSchema(BinaryWriter& out, const Schema& schema) {
  out.Put<std::uint32_t>(kSchemaFormat);
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

Schema ReadSchema(BinaryReader& in) {
  const auto format = in.Get<std::uint32_t>();
  if (format != kSchemaFormat) {
    throw in.Corrupt(StrCat("schema format ", format, " (this build reads ", kSchemaFormat, ")"));
  }
  return ReadSchemaFields(in);
}

Schema ReadSchemaFields(BinaryReader& in) {
  Schema schema;
  // The smallest column is an empty name (8 bytes) and three bytes; a feature is 9 bytes.
  schema.columns.resize(GetCount(in, sizeof(std::uint64_t) + 3, "columns"));
  for (auto& column : schema.columns) {
    column.name = in.GetString();
    column.type = GetEnum(in, ColumnType::kIgnored, "column type");
    column.is_target = GetBool(in);
    column.has_time = GetBool(in);
  }
  schema.features.resize(GetCount(in, 1 + sizeof(std::uint64_t), "features"));
  for (auto& feature : schema.features) {
    feature.kind = GetEnum(in, FeatureKind::kCategorical, "feature kind");
    feature.categories = GetStrings(in, "categories");
    if (feature.kind == FeatureKind::kNumeric && !feature.categories.empty()) {
      throw in.Corrupt("schema: a numeric feature with categories");
    }
    if (feature.categories.size() > kMaxCategories) {
      throw in.Corrupt("schema: more than 2^24 categories in a feature");
    }
    for (std::size_t i = 1; i < feature.categories.size(); ++i) {
      if (!(feature.categories[i - 1] < feature.categories[i])) {
        throw in.Corrupt("schema: a category dictionary that is not sorted and distinct");
      }
    }
  }
  schema.classes = GetStrings(in, "classes");
  return schema;
}

}  // namespace scaleml
