// The in-memory table every algorithm trains on: columnar float32 features, int32 labels and the
// global index of each row (its 0-based position among the data rows of the source file).
// Storage is either owned or a view over memory that a keep-alive object holds (a mapped binary
// cache, an object-store segment), so a worker can use a dataset without copying it.
// Thread-safety: const methods are safe from any thread; mutation needs exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/Schema.h"

namespace scaleml {

// Whatever keeps a view's memory alive (a mapping, a shared-memory segment).
class DatasetStorage {
 public:
  virtual ~DatasetStorage() = default;
};

class Dataset {
 public:
  Dataset();
  ~Dataset();
  // Owned, zero-filled storage for `rows` rows; row ids start as 0..rows-1.
  Dataset(std::vector<std::string> feature_names, std::size_t rows,
          std::string target_name = "target");
  // A view over external memory: `features` is columnar (feature f of row r at f * rows + r).
  // Owned storage taken from vectors: `features` columnar (rows * feature_names.size()), labels
  // and row ids one per row.
  static Dataset FromColumns(std::vector<std::string> feature_names, std::string target_name,
                             std::vector<float> features, std::vector<std::int32_t> labels,
                             std::vector<std::int64_t> row_ids);
  static Dataset View(std::vector<std::string> feature_names, std::string target_name,
                      std::size_t rows, const float* features, const std::int32_t* labels,
                      const std::int64_t* row_ids, std::unique_ptr<DatasetStorage> keep_alive);

  Dataset(Dataset&&) noexcept;
  Dataset& operator=(Dataset&&) noexcept;
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  std::size_t rows() const { return rows_; }
  std::size_t features() const { return feature_names_.size(); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  const std::string& target_name() const { return target_name_; }
  bool owned() const { return owned_ != nullptr; }
  // Column types, category dictionaries and class names (data/Schema.h). A dataset built without
  // one has an all-numeric schema with raw integer labels.
  const Schema& schema() const { return schema_; }
  // Replaces the schema; its features must match features() in number.
  void set_schema(Schema schema);

  std::span<const float> column(std::size_t feature) const {
    return {features_ + feature * rows_, rows_};
  }
  float at(std::size_t row, std::size_t feature) const { return features_[feature * rows_ + row]; }
  std::span<const std::int32_t> labels() const { return {labels_, rows_}; }
  std::span<const std::int64_t> row_ids() const { return {row_ids_, rows_}; }
  // All features, columnar.
  std::span<const float> feature_data() const { return {features_, rows_ * features()}; }

  // Mutable access; only for owned storage (an error otherwise).
  std::span<float> mutable_column(std::size_t feature);
  std::span<std::int32_t> mutable_labels();
  std::span<std::int64_t> mutable_row_ids();

  // Sorted distinct label values of the rows held here.
  std::vector<std::int32_t> Classes() const;
  // An owned copy of the given rows, in the given order.
  Dataset Take(std::span<const std::size_t> rows) const;
  // An owned copy of everything.
  Dataset Clone() const;
  // Row-major copy of the features (row r, feature f at r * features() + f).
  std::vector<float> RowMajor() const;
  // Bytes of feature, label and row-id data.
  std::size_t ByteSize() const;

 private:
  struct Owned;

  std::vector<std::string> feature_names_;
  std::string target_name_ = "target";
  Schema schema_;
  std::size_t rows_ = 0;
  const float* features_ = nullptr;
  const std::int32_t* labels_ = nullptr;
  const std::int64_t* row_ids_ = nullptr;
  std::unique_ptr<Owned> owned_;
  std::unique_ptr<DatasetStorage> keep_alive_;
};

}  // namespace scaleml
