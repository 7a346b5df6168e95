// PlanColumns: what every column of a CSV becomes, from the user's declarations, a model's
// schema, or the types seen in the first rows.
#include <fast_float/fast_float.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "core/Error.h"
#include "core/Log.h"
#include "data/CsvParser.h"
#include "data/CsvValues.h"

namespace scaleml {
namespace {

// The fields of the first `limit` records from data_begin, quotes followed (doubled quotes
// undone, newlines inside quotes kept), blanks around unquoted fields trimmed.
std::vector<std::vector<std::string>> SampleRecords(const CsvText& text, const CsvLayout& layout,
                                                    std::size_t limit) {
  std::vector<std::vector<std::string>> records;
  const char* p = text.data() + layout.data_begin;
  const char* const end = text.data() + layout.data_end;
  const char delimiter = layout.delimiter;
  auto blank = [delimiter](char c) { return c == ' ' || (c == '\t' && delimiter != '\t'); };
  while (p < end && records.size() < limit) {
    std::vector<std::string> fields;
    while (true) {
      while (p < end && blank(*p)) ++p;
      std::string field;
      if (p < end && *p == '"') {
        ++p;
        while (p < end) {
          if (*p == '"') {
            if (p + 1 < end && p[1] == '"') {
              field.push_back('"');
              p += 2;
              continue;
            }
            ++p;
            break;
          }
          field.push_back(*p++);
        }
        while (p < end && *p != delimiter && *p != '\n') ++p;  // the parse reports stray text
      } else {
        const char* b = p;
        while (p < end && *p != delimiter && *p != '\n' && *p != '\r') ++p;
        const char* e = p;
        while (e > b && blank(e[-1])) --e;
        field.assign(b, e);
      }
      fields.push_back(std::move(field));
      if (p < end && *p == delimiter) {
        ++p;
        continue;
      }
      break;
    }
    while (p < end && *p != '\n') ++p;
    if (p < end) ++p;
    records.push_back(std::move(fields));
  }
  return records;
}

// A number as the parser reads it (blanks, '+', inf and nan included: the latter read as missing).
bool LooksNumeric(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value;
  if (ParseNumber(text, &value)) return true;
  const char* b = text.data();
  const char* e = b + text.size();
  if (e - b >= 2 && b[0] == '+' && b[1] != '-' && b[1] != '+') ++b;
  auto parsed = fast_float::from_chars(b, e, value);
  return b != e && parsed.ec == std::errc() && parsed.ptr == e;
}

ColumnType InferType(const std::vector<std::vector<std::string>>& sample, std::size_t column,
                     const NaSpellings& na, bool* has_time) {
  bool any = false, numbers = true, booleans = true, dates = true;
  *has_time = false;
  for (const auto& record : sample) {
    if (column >= record.size() || na.Contains(record[column])) continue;
    const std::string& value = record[column];
    any = true;
    bool flag;
    DatetimeValue date;
    if (numbers && !LooksNumeric(value)) numbers = false;
    if (booleans && !ParseBoolean(value, &flag)) booleans = false;
    if (dates) {
      if (!ParseDatetime(value, &date)) {
        dates = false;
      } else if (date.has_time) {
        *has_time = true;
      }
    }
    if (!numbers && !booleans && !dates) return ColumnType::kCategorical;
  }
  // All missing in the sample: coded as strings; the whole file decides (see DictionaryMerge.h).
  if (!any) return ColumnType::kCategorical;
  if (numbers) return ColumnType::kNumeric;
  if (booleans) return ColumnType::kBoolean;
  if (dates) return ColumnType::kDatetime;
  return ColumnType::kCategorical;
}

bool TargetIsIntegers(const std::vector<std::vector<std::string>>& sample, std::size_t column,
                      const NaSpellings& na) {
  for (const auto& record : sample) {
    if (column >= record.size() || na.Contains(record[column])) continue;
    std::int32_t value;
    if (!ParseInt32(record[column], &value)) return false;
  }
  return true;
}

// Every sampled label is "true" or "false" in some case (not yes/no, 0/1: those stay as they are).
bool TargetIsTrueFalse(const std::vector<std::vector<std::string>>& sample, std::size_t column,
                       const NaSpellings& na) {
  bool any = false;
  for (const auto& record : sample) {
    if (column >= record.size() || na.Contains(record[column])) continue;
    bool value = false;
    if (!ParseTrueFalse(record[column], &value)) return false;
    any = true;
  }
  return any;
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (std::size_t c = 0; c < columns.size() && c < 20; ++c) {
    list += c > 0 ? ", " : "";
    list += columns[c];
  }
  if (columns.size() > 20) list += StrCat(", ... (", columns.size(), " in all)");
  return list;
}

// The declared names, checked against the header.
std::set<std::string> Declared(const std::vector<std::string>& names, const char* flag,
                               const CsvText& text, const CsvLayout& layout) {
  std::set<std::string> set;
  for (const auto& name : names) {
    if (std::find(layout.columns.begin(), layout.columns.end(), name) == layout.columns.end()) {
      throw InputError(text.path(), ":1: ", flag, " names no column '", name,
                       "'; the columns are: ", ColumnList(layout.columns));
    }
    set.insert(name);
  }
  return set;
}

// Adds the features of one column to the plan (the column's own plan gets its first feature).
void AddFeatures(CsvPlan& plan, ColumnPlan& column, const SourceColumn& source) {
  column.feature = static_cast<int>(plan.feature_names.size());
  auto add = [&](const std::string& name, FeatureKind kind) {
    plan.feature_names.push_back(name);
    FeatureInfo info;
    info.kind = kind;
    plan.schema.features.push_back(std::move(info));
  };
  switch (source.type) {
    case ColumnType::kCategorical:
      add(source.name, FeatureKind::kCategorical);
      break;
    case ColumnType::kDatetime:
      for (const char* suffix : {".days", ".year", ".month", ".dayofweek"}) {
        add(source.name + suffix, FeatureKind::kNumeric);
      }
      if (source.has_time) add(source.name + ".hour", FeatureKind::kNumeric);
      break;
    default:
      add(source.name, FeatureKind::kNumeric);
  }
}

FieldAction ActionOf(ColumnType type) {
  switch (type) {
    case ColumnType::kCategorical:
      return FieldAction::kCategorical;
    case ColumnType::kBoolean:
      return FieldAction::kBoolean;
    case ColumnType::kDatetime:
      return FieldAction::kDatetime;
    case ColumnType::kIgnored:
      return FieldAction::kSkip;
    case ColumnType::kNumeric:
      break;
  }
  return FieldAction::kNumeric;
}

// The plan of a file encoded with a model's schema: the schema's columns in its order.
CsvPlan PlanFixed(const CsvText& text, const CsvLayout& layout, const Schema& fixed) {
  CsvPlan plan;
  plan.schema = fixed;
  plan.schema.features.clear();
  plan.columns.assign(layout.FieldCount(), ColumnPlan{FieldAction::kSkip});
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < layout.columns.size(); ++c) index.emplace(layout.columns[c], c);
  for (const SourceColumn& source : fixed.columns) {
    if (source.is_target || source.type == ColumnType::kIgnored) continue;
    auto it = index.find(source.name);
    if (it == index.end()) {
      throw InputError(
          text.path(), ":1: no column '", source.name,
          "', which the model was trained with; the columns are: ", ColumnList(layout.columns));
    }
    ColumnPlan& column = plan.columns[it->second];
    column.action = ActionOf(source.type);
    column.has_time = source.has_time;
    AddFeatures(plan, column, source);
    if (source.type == ColumnType::kCategorical) {
      const auto& categories = fixed.features[static_cast<std::size_t>(column.feature)].categories;
      plan.schema.features[static_cast<std::size_t>(column.feature)].categories = categories;
      StringCodes codes(categories);
      column.action = FieldAction::kFixedCategorical;
      column.dictionary = static_cast<int>(plan.fixed.size());
      plan.fixed.push_back(std::move(codes));
    }
  }
  if (plan.schema.features.size() != fixed.features.size()) {
    throw Failure(text.path(), ": the model's schema lists ", fixed.features.size(),
                  " features but its columns make ", plan.schema.features.size());
  }
  if (layout.target_column >= 0) {
    ColumnPlan& target = plan.columns[static_cast<std::size_t>(layout.target_column)];
    if (fixed.classes.empty()) {
      target.action = FieldAction::kIntLabel;
    } else {
      StringCodes codes(fixed.classes);
      target.action = FieldAction::kFixedClassLabel;
      target.dictionary = static_cast<int>(plan.fixed.size());
      plan.fixed.push_back(std::move(codes));
    }
  }
  return plan;
}

}  // namespace

CsvPlan PlanColumns(const CsvText& text, const CsvLayout& layout, const CsvOptions& options) {
  CsvPlan plan;
  if (options.fixed_schema != nullptr && !options.fixed_schema->columns.empty()) {
    plan = PlanFixed(text, layout, *options.fixed_schema);
  } else {
    const std::set<std::string> categorical =
        Declared(options.categorical, "--categorical", text, layout);
    const std::set<std::string> numeric = Declared(options.numeric, "--numeric", text, layout);
    const std::set<std::string> ignore = Declared(options.ignore, "--ignore", text, layout);
    const bool legacy_fixed = options.fixed_schema != nullptr;  // a schema without columns
    const NaSpellings na(options.na_values);
    const auto sample = SampleRecords(text, layout, std::max<std::size_t>(options.sample_rows, 1));
    plan.columns.resize(layout.FieldCount());
    for (std::size_t c = 0; c < layout.FieldCount(); ++c) {
      const std::string& name = layout.columns[c];
      SourceColumn source;
      source.name = name;
      ColumnPlan& column = plan.columns[c];
      if (static_cast<int>(c) == layout.target_column) {
        source.is_target = true;
        const bool integers = numeric.count(name) > 0 ||
                              (categorical.count(name) == 0 && TargetIsIntegers(sample, c, na));
        column.action =
            integers || legacy_fixed ? FieldAction::kIntLabel : FieldAction::kClassLabel;
        if (column.action == FieldAction::kClassLabel) {
          column.boolean_label = categorical.count(name) == 0 && TargetIsTrueFalse(sample, c, na);
          source.type = ColumnType::kCategorical;
          column.dictionary = plan.dictionaries++;
          plan.class_slot = column.dictionary;
        }
        plan.schema.columns.push_back(std::move(source));
        continue;
      }
      if (ignore.count(name) > 0) {
        source.type = ColumnType::kIgnored;
      } else if (categorical.count(name) > 0) {
        source.type = ColumnType::kCategorical;
      } else if (numeric.count(name) > 0 || legacy_fixed) {
        source.type = ColumnType::kNumeric;
      } else {
        source.type = InferType(sample, c, na, &source.has_time);
      }
      column.action = ActionOf(source.type);
      column.has_time = source.has_time;
      if (source.type != ColumnType::kIgnored) AddFeatures(plan, column, source);
      if (source.type == ColumnType::kCategorical) column.dictionary = plan.dictionaries++;
      plan.schema.columns.push_back(std::move(source));
    }
    if (plan.feature_names.empty()) {
      throw InputError(text.path(), ":1: no feature columns left (every column is the target '",
                       options.target, "' or ignored)");
    }
  }
  plan.plain = true;
  for (const ColumnPlan& column : plan.columns) {
    if (column.action != FieldAction::kNumeric && column.action != FieldAction::kIntLabel) {
      plan.plain = false;
    }
  }
  return plan;
}

}  // namespace scaleml
