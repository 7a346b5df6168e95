// What `scaleml inspect` shows about a dataset: rows, classes with their counts (and names when the
// schema has them), and per feature its type, missing and distinct counts, min / mean / max for
// numeric features and the most frequent categories of categorical ones. Everything comes from
// the Dataset and its Schema (data/Schema.h), whoever made them (the reader, the cache, a test).
// Thread-safety: the functions are reentrant; Summarize uses the caller's OpenMP threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/Dataset.h"

namespace scaleml {

struct ClassCount {
  std::int32_t label = 0;
  std::string name;  // the class name (Schema::ClassName): the label's digits for raw labels
  std::int64_t count = 0;
};

struct CategoryCount {
  std::string value;
  std::int64_t count = 0;
};

inline constexpr std::int64_t kDistinctLimit = 65536;

struct FeatureSummary {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  // The type of the source column the feature came from: numeric, categorical, boolean,
  // datetime (a datetime column gives several numeric features).
  ColumnType type = ColumnType::kNumeric;
  double min = 0.0;   // numeric; NaN when every value is missing or the feature is categorical
  double mean = 0.0;  // likewise
  double max = 0.0;   // likewise
  std::int64_t missing = 0;
  // Distinct present values (-0 and 0 are one); -1 for a numeric feature with more than
  // kDistinctLimit (counted exactly up to there, categorical ones always).
  std::int64_t distinct = 0;
  std::vector<CategoryCount> top;  // categorical: the 5 most frequent, most frequent first
};

struct DatasetSummary {
  std::int64_t rows = 0;
  std::string target;
  bool named_classes = false;       // the schema names the classes (string labels)
  std::vector<ClassCount> classes;  // sorted by label
  std::vector<FeatureSummary> features;
};

DatasetSummary Summarize(const Dataset& data);

// "numeric", "categorical", "boolean", "datetime", "ignored".
const char* ColumnTypeName(ColumnType type);

// The source column type of every feature, from the schema's columns (target and ignored columns
// make no feature, a datetime column several); the feature kinds when the columns do not account
// for the features (a schema without columns).
std::vector<ColumnType> FeatureColumnTypes(const Schema& schema);

// The classes and the columns as JSON arrays (inspect --json).
nlohmann::ordered_json ClassesJson(const DatasetSummary& summary);
nlohmann::ordered_json ColumnsJson(const DatasetSummary& summary);

// The classes table and the columns table as text (inspect), each line ending in '\n'.
std::string ClassesTable(const DatasetSummary& summary);
std::string ColumnsTable(const DatasetSummary& summary);

}  // namespace scaleml
