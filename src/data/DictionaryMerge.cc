#include "data/DictionaryMerge.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/Error.h"
#include "data/CsvValues.h"

namespace scaleml {
namespace {

// Byte writer/reader of the wire format: counts as uint64, strings as length + bytes.
class Writer {
 public:
  void Count(std::uint64_t n) { Raw(&n, sizeof(n)); }
  void String(const std::string& s) {
    Count(s.size());
    Raw(s.data(), s.size());
  }
  void Strings(const std::vector<std::string>& list) {
    Count(list.size());
    for (const auto& s : list) String(s);
  }
  std::vector<std::byte> Take() { return std::move(bytes_); }

 private:
  void Raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<std::byte> bytes_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t Count() {
    std::uint64_t n;
    Raw(&n, sizeof(n));
    return n;
  }
  std::string String() {
    const std::uint64_t n = Count();
    Need(n);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return s;
  }
  std::vector<std::string> Strings() {
    const std::uint64_t n = Count();
    Need(n * sizeof(std::uint64_t));
    std::vector<std::string> list;
    list.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) list.push_back(String());
    return list;
  }
  bool Done() const { return at_ == bytes_.size(); }

 private:
  void Need(std::uint64_t n) const {
    if (n > bytes_.size() - at_) throw InputError("dictionary exchange: truncated message");
  }
  void Raw(void* p, std::size_t n) {
    Need(n);
    std::memcpy(p, bytes_.data() + at_, n);
    at_ += n;
  }
  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
};

std::vector<std::string> SortedUnion(const std::vector<const std::vector<std::string>*>& lists) {
  std::vector<std::string> merged;
  for (const auto* list : lists) merged.insert(merged.end(), list->begin(), list->end());
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  return merged;
}

// Local code -> merged code.
std::vector<float> CodeMapOf(const std::vector<std::string>& local,
                             const std::vector<std::string>& merged) {
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(merged.size());
  for (std::size_t i = 0; i < merged.size(); ++i) index.emplace(merged[i], i);
  std::vector<float> map(local.size());
  for (std::size_t i = 0; i < local.size(); ++i) {
    auto it = index.find(local[i]);
    if (it == index.end()) throw Failure("dictionary merge: '", local[i], "' is not in the merge");
    map[i] = static_cast<float>(it->second);
  }
  return map;
}

}  // namespace

std::size_t FeatureCountOf(const SourceColumn& column) {
  if (column.is_target || column.type == ColumnType::kIgnored) return 0;
  if (column.type == ColumnType::kDatetime) return column.has_time ? 5 : 4;
  return 1;
}

void SortClassNames(std::vector<std::string>& names) {
  std::vector<std::pair<double, std::string>> numbers;
  numbers.reserve(names.size());
  for (const auto& name : names) {
    double value;
    if (!ParseNumber(name, &value)) {
      std::sort(names.begin(), names.end());
      return;
    }
    numbers.emplace_back(value, name);
  }
  std::sort(numbers.begin(), numbers.end());
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = std::move(numbers[i].second);
}

LocalDictionaries DictionariesOf(const Dataset& data) {
  const Schema& schema = data.schema();
  LocalDictionaries local;
  local.categories.resize(data.features());
  local.present.assign(data.features(), 0);
  for (std::size_t f = 0; f < data.features(); ++f) {
    if (!schema.IsCategorical(f)) continue;
    local.categories[f] = schema.features[f].categories;
    std::int64_t present = 0;
    for (float v : data.column(f)) present += std::isnan(v) ? 0 : 1;
    local.present[f] = present;
  }
  local.classes = schema.classes;
  return local;
}

std::vector<std::byte> SerializeDictionaries(const LocalDictionaries& dictionaries) {
  Writer writer;
  writer.Count(dictionaries.categories.size());
  for (std::size_t f = 0; f < dictionaries.categories.size(); ++f) {
    writer.Count(static_cast<std::uint64_t>(dictionaries.present[f]));
    writer.Strings(dictionaries.categories[f]);
  }
  writer.Strings(dictionaries.classes);
  return writer.Take();
}

LocalDictionaries DeserializeDictionaries(std::span<const std::byte> bytes) {
  Reader reader(bytes);
  LocalDictionaries dictionaries;
  const std::uint64_t features = reader.Count();
  if (features > bytes.size()) throw InputError("dictionary exchange: bad feature count");
  for (std::uint64_t f = 0; f < features; ++f) {
    dictionaries.present.push_back(static_cast<std::int64_t>(reader.Count()));
    dictionaries.categories.push_back(reader.Strings());
  }
  dictionaries.classes = reader.Strings();
  if (!reader.Done()) throw InputError("dictionary exchange: trailing bytes");
  return dictionaries;
}

Schema MergeDictionaries(const Schema& local, const std::vector<LocalDictionaries>& parts,
                         const std::vector<std::string>& declared_categorical,
                         std::vector<std::string>* notices) {
  Schema merged;
  merged.columns = local.columns;
  for (const auto& part : parts) {
    if (part.categories.size() != local.features.size()) {
      throw Failure("dictionary merge: a part has ", part.categories.size(), " features, this one ",
                    local.features.size());
    }
  }
  std::size_t feature = 0;
  for (SourceColumn& column : merged.columns) {
    const std::size_t count = FeatureCountOf(column);
    if (column.type == ColumnType::kCategorical && count == 1) {
      std::vector<const std::vector<std::string>*> lists;
      std::int64_t present = 0;
      for (const auto& part : parts) {
        lists.push_back(&part.categories[feature]);
        present += part.present[feature];
      }
      FeatureInfo info;
      info.kind = FeatureKind::kCategorical;
      info.categories = SortedUnion(lists);
      const bool declared = std::find(declared_categorical.begin(), declared_categorical.end(),
                                      column.name) != declared_categorical.end();
      const bool all_missing = present == 0;
      const bool all_distinct =
          present >= 2 && static_cast<std::int64_t>(info.categories.size()) == present;
      // Only a column missing throughout the sample can be inferred categorical and hold
      // nothing but numbers: it is numeric.
      const bool all_numbers =
          !declared && !info.categories.empty() &&
          std::all_of(info.categories.begin(), info.categories.end(), [](const std::string& v) {
            double value;
            return ParseNumber(v, &value);
          });
      if (all_numbers) {
        column.type = ColumnType::kNumeric;
        merged.features.push_back(FeatureInfo{});
        if (notices != nullptr) {
          notices->push_back(StrCat("column '", column.name,
                                    "' read as numbers (missing in the rows that set the types)"));
        }
      } else if (!declared && (all_missing || all_distinct)) {
        column.type = ColumnType::kIgnored;
        if (notices != nullptr) {
          notices->push_back(
              all_missing ? StrCat("column '", column.name, "' ignored: every value is missing")
                          : StrCat("column '", column.name, "' ignored: its ", present,
                                   " values are all distinct strings (an id or a name?); "
                                   "keep it with --categorical ",
                                   column.name));
        }
      } else {
        merged.features.push_back(std::move(info));
      }
    } else {
      for (std::size_t k = 0; k < count; ++k)
        merged.features.push_back(local.features[feature + k]);
    }
    feature += count;
  }
  if (!local.classes.empty() ||
      std::any_of(parts.begin(), parts.end(), [](const auto& p) { return !p.classes.empty(); })) {
    std::vector<const std::vector<std::string>*> lists;
    for (const auto& part : parts) lists.push_back(&part.classes);
    merged.classes = SortedUnion(lists);
    SortClassNames(merged.classes);
  }
  return merged;
}

void RemapToMergedDictionaries(Dataset& data, const Schema& merged) {
  const Schema& local = data.schema();
  if (merged.columns.size() != local.columns.size()) {
    throw Failure("dictionary merge: ", merged.columns.size(), " columns merged, ",
                  local.columns.size(), " here");
  }
  // Which local features survive, and the code map of each categorical one.
  std::vector<std::size_t> kept;
  std::vector<std::vector<float>> maps;
  std::size_t local_feature = 0, merged_feature = 0;
  for (std::size_t c = 0; c < local.columns.size(); ++c) {
    const std::size_t count = FeatureCountOf(local.columns[c]);
    const bool dropped = count > 0 && merged.columns[c].type == ColumnType::kIgnored;
    for (std::size_t k = 0; k < count && !dropped; ++k) {
      const std::size_t f = local_feature + k;
      kept.push_back(f);
      const bool to_numbers = local.IsCategorical(f) && !merged.IsCategorical(merged_feature);
      const bool identity = !local.IsCategorical(f) ||
                            (!to_numbers && local.features[f].categories ==
                                                merged.features[merged_feature].categories);
      if (to_numbers) {
        std::vector<float> values;  // code -> the number it names
        for (const auto& v : local.features[f].categories) {
          double value = 0;
          ParseNumber(v, &value);
          values.push_back(static_cast<float>(value));
        }
        maps.push_back(std::move(values));
      } else {
        maps.push_back(identity ? std::vector<float>()
                                : CodeMapOf(local.features[f].categories,
                                            merged.features[merged_feature].categories));
      }
      ++merged_feature;
    }
    local_feature += count;
  }
  if (merged_feature != merged.features.size()) {
    throw Failure("dictionary merge: ", merged.features.size(), " merged features, ",
                  merged_feature, " kept here");
  }
  std::vector<float> label_map;
  if (!local.classes.empty() && local.classes != merged.classes) {
    label_map = CodeMapOf(local.classes, merged.classes);
  }

  const std::size_t rows = data.rows();
  if (kept.size() != data.features()) {
    std::vector<std::string> names;
    for (std::size_t f : kept) names.push_back(data.feature_names()[f]);
    Dataset out(std::move(names), rows, data.target_name());
    for (std::size_t i = 0; i < kept.size(); ++i) {
      auto from = data.column(kept[i]);
      std::copy(from.begin(), from.end(), out.mutable_column(i).begin());
    }
    std::copy(data.labels().begin(), data.labels().end(), out.mutable_labels().begin());
    std::copy(data.row_ids().begin(), data.row_ids().end(), out.mutable_row_ids().begin());
    data = std::move(out);
  } else if (!data.owned()) {
    data = data.Clone();
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (maps[i].empty()) continue;
    const auto& map = maps[i];
    auto column = data.mutable_column(i);
#pragma omp parallel for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      if (!std::isnan(column[r])) column[r] = map[static_cast<std::size_t>(column[r])];
    }
  }
  if (!label_map.empty()) {
    auto labels = data.mutable_labels();
    for (auto& label : labels) {
      label = static_cast<std::int32_t>(label_map[static_cast<std::size_t>(label)]);
    }
  }
  data.set_schema(merged);
}

}  // namespace scaleml
