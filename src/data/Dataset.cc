#include "data/Dataset.h"

#include <algorithm>
#include <numeric>

#include "core/Error.h"

namespace scaleml {

struct Dataset::Owned {
  std::vector<float> features;
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> row_ids;
};

Dataset::Dataset() = default;
Dataset::~Dataset() = default;
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&&) noexcept = default;

Dataset::Dataset(std::vector<std::string> feature_names, std::size_t rows, std::string target_name)
    : feature_names_(std::move(feature_names)),
      target_name_(std::move(target_name)),
      rows_(rows),
      owned_(std::make_unique<Owned>()) {
  schema_ = NumericSchema(feature_names_.size());
  owned_->features.assign(rows * feature_names_.size(), 0.0f);
  owned_->labels.assign(rows, 0);
  owned_->row_ids.resize(rows);
  std::iota(owned_->row_ids.begin(), owned_->row_ids.end(), std::int64_t{0});
  features_ = owned_->features.data();
  labels_ = owned_->labels.data();
  row_ids_ = owned_->row_ids.data();
}

Dataset Dataset::FromColumns(std::vector<std::string> feature_names, std::string target_name,
                             std::vector<float> features, std::vector<std::int32_t> labels,
                             std::vector<std::int64_t> row_ids) {
  const std::size_t rows = labels.size();
  if (row_ids.size() != rows || features.size() != rows * feature_names.size()) {
    throw Failure("dataset: columns of ", features.size(), " values, ", rows, " labels and ",
                  row_ids.size(), " row ids for ", feature_names.size(), " features");
  }
  Dataset data;
  data.feature_names_ = std::move(feature_names);
  data.target_name_ = std::move(target_name);
  data.rows_ = rows;
  data.schema_ = NumericSchema(data.feature_names_.size());
  data.owned_ = std::make_unique<Owned>();
  data.owned_->features = std::move(features);
  data.owned_->labels = std::move(labels);
  data.owned_->row_ids = std::move(row_ids);
  data.features_ = data.owned_->features.data();
  data.labels_ = data.owned_->labels.data();
  data.row_ids_ = data.owned_->row_ids.data();
  return data;
}

Dataset Dataset::View(std::vector<std::string> feature_names, std::string target_name,
                      std::size_t rows, const float* features, const std::int32_t* labels,
                      const std::int64_t* row_ids, std::unique_ptr<DatasetStorage> keep_alive) {
  Dataset view;
  view.feature_names_ = std::move(feature_names);
  view.target_name_ = std::move(target_name);
  view.rows_ = rows;
  view.schema_ = NumericSchema(view.feature_names_.size());
  view.features_ = features;
  view.labels_ = labels;
  view.row_ids_ = row_ids;
  view.keep_alive_ = std::move(keep_alive);
  return view;
}

void Dataset::set_schema(Schema schema) {
  if (schema.features.size() != feature_names_.size()) {
    throw Failure("dataset: a schema of ", schema.features.size(), " features for ",
                  feature_names_.size(), " feature columns");
  }
  schema_ = std::move(schema);
}

std::span<float> Dataset::mutable_column(std::size_t feature) {
  if (!owned_) throw Failure("dataset: a view over shared memory cannot be modified");
  return {owned_->features.data() + feature * rows_, rows_};
}

std::span<std::int32_t> Dataset::mutable_labels() {
  if (!owned_) throw Failure("dataset: a view over shared memory cannot be modified");
  return {owned_->labels.data(), rows_};
}

std::span<std::int64_t> Dataset::mutable_row_ids() {
  if (!owned_) throw Failure("dataset: a view over shared memory cannot be modified");
  return {owned_->row_ids.data(), rows_};
}

std::vector<std::int32_t> Dataset::Classes() const {
  std::vector<std::int32_t> classes;
  // Labels are few distinct values: a small sorted set beats sorting all rows.
  for (std::size_t r = 0; r < rows_; ++r) {
    std::int32_t label = labels_[r];
    auto it = std::lower_bound(classes.begin(), classes.end(), label);
    if (it == classes.end() || *it != label) classes.insert(it, label);
  }
  return classes;
}

Dataset Dataset::Take(std::span<const std::size_t> rows) const {
  Dataset out(feature_names_, rows.size(), target_name_);
  out.schema_ = schema_;
  const std::size_t n = rows.size();
  for (std::size_t f = 0; f < features(); ++f) {
    const float* src = features_ + f * rows_;
    float* dst = out.owned_->features.data() + f * n;
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[rows[i]];
  }
  for (std::size_t i = 0; i < n; ++i) {
    out.owned_->labels[i] = labels_[rows[i]];
    out.owned_->row_ids[i] = row_ids_[rows[i]];
  }
  return out;
}

Dataset Dataset::Clone() const {
  Dataset out(feature_names_, rows_, target_name_);
  out.schema_ = schema_;
  std::copy(features_, features_ + rows_ * features(), out.owned_->features.begin());
  std::copy(labels_, labels_ + rows_, out.owned_->labels.begin());
  std::copy(row_ids_, row_ids_ + rows_, out.owned_->row_ids.begin());
  return out;
}

std::vector<float> Dataset::RowMajor() const {
  const std::size_t nf = features();
  std::vector<float> out(rows_ * nf);
  for (std::size_t f = 0; f < nf; ++f) {
    const float* src = features_ + f * rows_;
    for (std::size_t r = 0; r < rows_; ++r) out[r * nf + f] = src[r];
  }
  return out;
}

std::size_t Dataset::ByteSize() const {
  return rows_ * (features() * sizeof(float) + sizeof(std::int32_t) + sizeof(std::int64_t));
}

}  // namespace scaleml
