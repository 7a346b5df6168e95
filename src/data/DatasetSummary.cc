#include "data/DatasetSummary.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "core/Hash.h"

namespace scaleml {
namespace {

constexpr std::size_t kTopCategories = 5;

// Distinct present values of a numeric column, counted exactly up to kDistinctLimit in a small
// open-addressing table (1 MiB, whatever the row count), -1 beyond: a continuous column stops
// being counted after its first kDistinctLimit + 1 distinct values, so inspect of a large file
// stays one quick pass and adds no memory in proportion to the rows.
std::int64_t DistinctNumbers(std::span<const float> column) {
  constexpr std::uint32_t kEmpty = 0xffffffffu;  // a NaN pattern: NaN is never inserted
  constexpr std::size_t kSlots = std::size_t{1} << 18;
  static_assert(kSlots >= 2 * (kDistinctLimit + 1));
  std::vector<std::uint32_t> table(kSlots, kEmpty);
  std::int64_t distinct = 0;
  for (float value : column) {
    if (std::isnan(value)) continue;
    if (value == 0.0f) value = 0.0f;  // -0 and 0 are one value
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    std::size_t slot = Mix64(bits) & (kSlots - 1);
    while (table[slot] != kEmpty && table[slot] != bits) slot = (slot + 1) & (kSlots - 1);
    if (table[slot] == kEmpty) {
      table[slot] = bits;
      if (++distinct > kDistinctLimit) return -1;
    }
  }
  return distinct;
}

void SummarizeNumeric(std::span<const float> column, FeatureSummary& out) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  double sum = 0.0;
  std::int64_t missing = 0;
  for (float value : column) {
    if (std::isnan(value)) {
      ++missing;
      continue;
    }
    lo = std::min(lo, value);
    hi = std::max(hi, value);
    sum += value;
  }
  const auto present = static_cast<std::int64_t>(column.size()) - missing;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.missing = missing;
  out.min = present > 0 ? lo : nan;
  out.max = present > 0 ? hi : nan;
  out.mean = present > 0 ? sum / static_cast<double>(present) : nan;
  out.distinct = DistinctNumbers(column);
}

// Codes are indices into the dictionary; anything else (never written by the reader) is counted
// as missing rather than trusted.
void SummarizeCategorical(std::span<const float> column, const std::vector<std::string>& dictionary,
                          FeatureSummary& out) {
  std::vector<std::int64_t> counts(dictionary.size(), 0);
  for (float code : column) {
    if (code >= 0.0f && code < static_cast<float>(dictionary.size())) {
      ++counts[static_cast<std::size_t>(code)];
    } else {
      ++out.missing;
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.min = out.mean = out.max = nan;
  std::vector<std::size_t> present;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] > 0) present.push_back(c);
  }
  out.distinct = static_cast<std::int64_t>(present.size());
  const std::size_t top = std::min(kTopCategories, present.size());
  // Most frequent first; ties in dictionary (byte) order.
  std::partial_sort(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(top),
                    present.end(), [&](std::size_t a, std::size_t b) {
                      return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
                    });
  for (std::size_t i = 0; i < top; ++i)
    out.top.push_back({dictionary[present[i]], counts[present[i]]});
}

std::vector<ClassCount> CountClasses(const Dataset& data) {
  std::map<std::int32_t, std::int64_t> counts;
  // Labels are usually a handful of small values: count those in an array, the rest in a map.
  constexpr std::int32_t kDense = 1024;
  std::vector<std::int64_t> dense(kDense, 0);
  for (std::int32_t label : data.labels()) {
    if (label >= 0 && label < kDense) {
      ++dense[label];
    } else {
      ++counts[label];
    }
  }
  for (std::int32_t label = 0; label < kDense; ++label) {
    if (dense[label] > 0) counts[label] += dense[label];
  }
  std::vector<ClassCount> classes;
  for (const auto& [label, count] : counts) {
    classes.push_back({label, data.schema().ClassName(label), count});
  }
  return classes;
}

nlohmann::ordered_json NumberOrNull(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

// Min and max are float32 values: show them in their shortest float form (0.2, not
// 0.20000000298023224).
nlohmann::ordered_json FloatOrNull(double value) {
  if (!std::isfinite(value)) return nullptr;
  char text[32];
  auto end = std::to_chars(text, text + sizeof(text), static_cast<float>(value)).ptr;
  return std::stod(std::string(text, end));
}

}  // namespace

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kCategorical:
      return "categorical";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kDatetime:
      return "datetime";
    case ColumnType::kIgnored:
      return "ignored";
  }
  return "unknown";
}

std::vector<ColumnType> FeatureColumnTypes(const Schema& schema) {
  std::vector<ColumnType> types;
  for (const auto& column : schema.columns) {
    if (column.is_target || column.type == ColumnType::kIgnored) continue;
    const std::size_t features =
        column.type == ColumnType::kDatetime ? (column.has_time ? 5 : 4) : 1;
    types.insert(types.end(), features, column.type);
  }
  if (types.size() == schema.features.size()) return types;
  types.clear();
  for (const auto& feature : schema.features) {
    types.push_back(feature.kind == FeatureKind::kCategorical ? ColumnType::kCategorical
                                                              : ColumnType::kNumeric);
  }
  return types;
}

DatasetSummary Summarize(const Dataset& data) {
  DatasetSummary summary;
  summary.rows = static_cast<std::int64_t>(data.rows());
  summary.target = data.target_name();
  summary.named_classes = !data.schema().classes.empty();
  summary.classes = CountClasses(data);

  const Schema& schema = data.schema();
  const std::vector<ColumnType> types = FeatureColumnTypes(schema);
  const auto features = static_cast<std::int64_t>(data.features());
  summary.features.resize(features);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t f = 0; f < features; ++f) {
    FeatureSummary& out = summary.features[f];
    out.name = data.feature_names()[f];
    out.type = static_cast<std::size_t>(f) < types.size() ? types[f] : ColumnType::kNumeric;
    if (schema.IsCategorical(f)) {
      out.kind = FeatureKind::kCategorical;
      SummarizeCategorical(data.column(f), schema.features[f].categories, out);
    } else {
      SummarizeNumeric(data.column(f), out);
    }
  }
  return summary;
}

nlohmann::ordered_json ClassesJson(const DatasetSummary& summary) {
  auto classes = nlohmann::ordered_json::array();
  for (const auto& c : summary.classes) {
    classes.push_back({{"label", c.label}, {"name", c.name}, {"count", c.count}});
  }
  return classes;
}

nlohmann::ordered_json ColumnsJson(const DatasetSummary& summary) {
  auto columns = nlohmann::ordered_json::array();
  for (const auto& f : summary.features) {
    nlohmann::ordered_json column = {
        {"name", f.name},
        {"type", ColumnTypeName(f.type)},
        {"kind", f.kind == FeatureKind::kCategorical ? "categorical" : "numeric"},
        {"min", FloatOrNull(f.min)},
        {"mean", NumberOrNull(f.mean)},
        {"max", FloatOrNull(f.max)},
        {"missing", f.missing},
        {"distinct", f.distinct >= 0 ? nlohmann::ordered_json(f.distinct) : nullptr}};
    if (f.distinct < 0) column["distinct_more_than"] = kDistinctLimit;
    if (f.kind == FeatureKind::kCategorical) {
      column["top"] = nlohmann::ordered_json::array();
      for (const auto& c : f.top) column["top"].push_back({{"value", c.value}, {"count", c.count}});
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string ClassesTable(const DatasetSummary& summary) {
  std::string text;
  char line[512];
  std::snprintf(line, sizeof(line), "  %11s %12s %8s%s\n", "label", "count", "share",
                summary.named_classes ? "  name" : "");
  text += line;
  for (const auto& c : summary.classes) {
    std::snprintf(line, sizeof(line), "  %11d %12lld %7.2f%%", c.label,
                  static_cast<long long>(c.count),
                  summary.rows > 0 ? 100.0 * static_cast<double>(c.count) / summary.rows : 0.0);
    text += line;
    if (summary.named_classes) text.append("  ").append(c.name);
    text += '\n';
  }
  return text;
}

std::string ColumnsTable(const DatasetSummary& summary) {
  std::size_t width = 7;
  for (const auto& f : summary.features) width = std::max(width, f.name.size());
  const int w = static_cast<int>(width);
  std::string text;
  char line[1024];
  std::snprintf(line, sizeof(line), "%-*s %-11s %14s %14s %14s %10s %10s\n", w, "feature", "type",
                "min", "mean", "max", "missing", "distinct");
  text += line;
  for (const auto& f : summary.features) {
    if (f.kind == FeatureKind::kCategorical) {
      std::snprintf(line, sizeof(line), "%-*s %-11s %14s %14s %14s %10lld %10lld\n", w,
                    f.name.c_str(), ColumnTypeName(f.type), "-", "-", "-",
                    static_cast<long long>(f.missing), static_cast<long long>(f.distinct));
      text += line;
      text += std::string(static_cast<std::size_t>(w) + 2, ' ') + "top:";
      for (const auto& c : f.top) {
        text.append(" ").append(c.value).append(" (").append(std::to_string(c.count)).append(")");
      }
      text += '\n';
      continue;
    }
    const std::string distinct = f.distinct >= 0
                                     ? std::to_string(f.distinct)
                                     : std::string(">").append(std::to_string(kDistinctLimit));
    std::snprintf(line, sizeof(line), "%-*s %-11s %14.6g %14.6g %14.6g %10lld %10s\n", w,
                  f.name.c_str(), ColumnTypeName(f.type), f.min, f.mean, f.max,
                  static_cast<long long>(f.missing), distinct.c_str());
    text += line;
  }
  return text;
}

}  // namespace scaleml
