// Appends parsed blocks of rows (Datasets with the same features, each with its own sorted
// category dictionaries and class names) into one Dataset, for readers that parse a file window by
// window. Columns grow in one columnar buffer sized from an estimate of the rows to come (grown
// when short, and its unused tail handed back at the end), so the result costs about its own size
// and no second copy. Dictionaries are united as blocks arrive and sorted once at the end.
// Thread-safety: one thread per object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/CsvParser.h"
#include "data/Dataset.h"
#include "data/Schema.h"
#include "data/StringCodes.h"

namespace scaleml {

class DatasetBuilder {
 public:
  DatasetBuilder(std::vector<std::string> feature_names, std::string target_name);

  // Starts the dictionaries from `schema`'s (a model's, when a file is read with its schema), so
  // that they hold every value of it even when no row uses it.
  void Seed(const Schema& schema);
  // Makes room for `rows` rows in all (a hint; Append grows past it when needed).
  void Reserve(std::size_t rows);
  // Appends every row of `block`, recoding its categories and classes into the united ones.
  void Append(const Dataset& block);
  std::size_t rows() const { return rows_; }
  std::size_t capacity() const { return capacity_; }
  // The dataset: dictionaries sorted (classes as LabelEncoder sorts them), codes rewritten.
  // `schema` gives the columns and feature kinds (its dictionaries are ignored).
  Dataset Finish(Schema schema);

 private:
  using Dictionary = StringCodes;  // value -> code, in order of first appearance
  void Grow(std::size_t rows);
  static std::vector<float> CodesOf(Dictionary& dictionary, const std::vector<std::string>& names);

  std::vector<std::string> feature_names_;
  std::string target_name_;
  std::size_t rows_ = 0;
  std::size_t capacity_ = 0;
  std::vector<float> features_;  // feature f of row r at f * capacity_ + r
  std::vector<std::int32_t> labels_;
  std::vector<std::int64_t> row_ids_;
  std::vector<Dictionary> categories_;  // per feature
  Dictionary classes_;
  bool named_classes_ = false;
};

}  // namespace scaleml
