// What the columns of a table are: the type of every column of the source file, how those
// columns became the Dataset's features, the dictionaries of categorical features, and the names
// of the classes. A model stores the schema it was trained with, so that `predict` on another file
// encodes that file the same way (the same category codes, the same class order).
//
// Contract (every layer relies on it):
// - A feature is numeric or categorical. Booleans become numeric 0/1; a datetime column expands
//   into several numeric features (see SourceColumn); ignored columns become no feature.
// - A categorical feature stores the code of its value as a float: the index of the value in
//   `categories`, which is sorted in byte order (std::string's operator<). Codes are exact small
//   integers in float (at most 2^24 categories). Missing is NaN, in every kind of feature.
// - Labels are int32. When `classes` is empty the labels are the target column's own integers
//   and their names are their decimal text (the paper's files). Otherwise a label is an index into
//   `classes`, sorted as scikit-learn's LabelEncoder sorts them (numbers numerically, strings in
//   byte order), and the name of label i is classes[i].
// - Because dictionaries are sorted, codes depend only on the set of values, not on where they
//   were read: ranks that each read a part of a file merge their dictionaries (union, sorted) and
//   remap, and get the single process's codes.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scaleml {

// The type of a column of the source file.
enum class ColumnType : std::uint8_t {
  kNumeric = 0,
  kCategorical = 1,
  kBoolean = 2,
  kDatetime = 3,
  kIgnored = 4,
};

// The kind of a Dataset feature.
enum class FeatureKind : std::uint8_t {
  kNumeric = 0,
  kCategorical = 1,
};

struct SourceColumn {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  bool is_target = false;
  // kDatetime: the column expands into the features NAME.days (days since 1970-01-01, fractional
  // when times are present), NAME.year, NAME.month, NAME.dayofweek (0 = Monday) and, when
  // has_time, NAME.hour.
  bool has_time = false;
};

struct FeatureInfo {
  FeatureKind kind = FeatureKind::kNumeric;
  std::vector<std::string> categories;  // kCategorical: sorted; a value's code is its index
};

struct Schema {
  std::vector<SourceColumn> columns;  // every column of the source file, in file order
  std::vector<FeatureInfo> features;  // one per Dataset feature, in feature order
  std::vector<std::string> classes;   // empty: labels are raw integers (see above)

  bool HasCategorical() const {
    for (const auto& f : features) {
      if (f.kind == FeatureKind::kCategorical) return true;
    }
    return false;
  }
  bool IsCategorical(std::size_t feature) const {
    return feature < features.size() && features[feature].kind == FeatureKind::kCategorical;
  }
  // Number of categories of a categorical feature (0 for numeric ones).
  std::size_t CategoryCount(std::size_t feature) const {
    return IsCategorical(feature) ? features[feature].categories.size() : 0;
  }
  // The name of label value `label`.
  std::string ClassName(std::int32_t label) const {
    if (classes.empty()) return std::to_string(label);
    return label >= 0 && static_cast<std::size_t>(label) < classes.size()
               ? classes[static_cast<std::size_t>(label)]
               : std::to_string(label);
  }
};

// An all-numeric schema for `feature_count` features with raw integer labels.
inline Schema NumericSchema(std::size_t feature_count) {
  Schema schema;
  schema.features.resize(feature_count);
  return schema;
}

}  // namespace scaleml
