#include "data/DatasetBuilder.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/Error.h"
#include "data/DictionaryMerge.h"

namespace scaleml {

DatasetBuilder::DatasetBuilder(std::vector<std::string> feature_names, std::string target_name)
    : feature_names_(std::move(feature_names)),
      target_name_(std::move(target_name)),
      categories_(feature_names_.size()) {}

void DatasetBuilder::Seed(const Schema& schema) {
  for (std::size_t f = 0; f < feature_names_.size() && f < schema.features.size(); ++f) {
    CodesOf(categories_[f], schema.features[f].categories);
  }
  if (!schema.classes.empty()) {
    named_classes_ = true;
    CodesOf(classes_, schema.classes);
  }
}

void DatasetBuilder::Reserve(std::size_t rows) {
  if (rows > capacity_) Grow(rows);
  labels_.reserve(rows);
  row_ids_.reserve(rows);
}

void DatasetBuilder::Grow(std::size_t rows) {
  const std::size_t features = feature_names_.size();
  std::vector<float> grown(rows * features);
  for (std::size_t f = 0; f < features && rows_ > 0; ++f) {
    std::memcpy(grown.data() + f * rows, features_.data() + f * capacity_, rows_ * sizeof(float));
  }
  features_ = std::move(grown);
  capacity_ = rows;
}

std::vector<float> DatasetBuilder::CodesOf(Dictionary& dictionary,
                                           const std::vector<std::string>& names) {
  std::vector<float> codes(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    codes[i] = static_cast<float>(dictionary.FindOrInsert(names[i]));
  }
  return codes;
}

void DatasetBuilder::Append(const Dataset& block) {
  if (block.features() != feature_names_.size()) {
    throw Failure("dataset builder: a block of ", block.features(), " features for ",
                  feature_names_.size());
  }
  const std::size_t n = block.rows();
  if (n == 0) return;
  if (rows_ + n > capacity_) {
    // Short of the estimate: half as much again, at least what this block needs.
    Grow(std::max(rows_ + n, capacity_ + capacity_ / 2));
  }
  const Schema& schema = block.schema();
  for (std::size_t f = 0; f < feature_names_.size(); ++f) {
    const auto source = block.column(f);
    float* out = features_.data() + f * capacity_ + rows_;
    if (!schema.IsCategorical(f)) {
      std::memcpy(out, source.data(), n * sizeof(float));
      continue;
    }
    const std::vector<float> codes = CodesOf(categories_[f], schema.features[f].categories);
    for (std::size_t r = 0; r < n; ++r) {
      const float value = source[r];
      out[r] = std::isnan(value) ? value : codes[static_cast<std::size_t>(value)];
    }
  }
  const auto labels = block.labels();
  if (!schema.classes.empty()) {
    named_classes_ = true;
    const std::vector<float> codes = CodesOf(classes_, schema.classes);
    for (std::int32_t label : labels) {
      labels_.push_back(static_cast<std::int32_t>(codes[static_cast<std::size_t>(label)]));
    }
  } else {
    labels_.insert(labels_.end(), labels.begin(), labels.end());
  }
  const auto ids = block.row_ids();
  row_ids_.insert(row_ids_.end(), ids.begin(), ids.end());
  rows_ += n;
}

namespace {

// Sorts `values` (as class names or in byte order) and returns old code -> new code.
std::vector<float> SortedCodes(std::vector<std::string>& values, bool class_names) {
  std::vector<std::string> sorted = values;
  if (class_names) {
    SortClassNames(sorted);
  } else {
    std::sort(sorted.begin(), sorted.end());
  }
  const StringCodes position(sorted);
  std::vector<float> remap(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    remap[i] = static_cast<float>(position.Find(values[i]));
  }
  values = std::move(sorted);
  return remap;
}

}  // namespace

Dataset DatasetBuilder::Finish(Schema schema) {
  const std::size_t features = feature_names_.size();
  if (schema.features.size() != features) {
    throw Failure("dataset builder: a schema of ", schema.features.size(), " features for ",
                  features);
  }
  for (std::size_t f = 0; f < features; ++f) {
    if (!schema.IsCategorical(f)) continue;
    std::vector<std::string> categories = categories_[f].values();
    const std::vector<float> remap = SortedCodes(categories, false);
    float* column = features_.data() + f * capacity_;
    for (std::size_t r = 0; r < rows_; ++r) {
      if (!std::isnan(column[r])) column[r] = remap[static_cast<std::size_t>(column[r])];
    }
    schema.features[f].categories = std::move(categories);
  }
  schema.classes.clear();
  if (named_classes_) {
    std::vector<std::string> classes = classes_.values();
    const std::vector<float> remap = SortedCodes(classes, true);
    for (auto& label : labels_) label = static_cast<std::int32_t>(remap[label]);
    schema.classes = std::move(classes);
  }
  // Columns from stride capacity_ to stride rows_, in place (each moves down or stays), then the
  // unused tail's pages go back to the kernel.
  for (std::size_t f = 1; f < features && rows_ < capacity_; ++f) {
    std::memmove(features_.data() + f * rows_, features_.data() + f * capacity_,
                 rows_ * sizeof(float));
  }
  const std::size_t used = rows_ * features;
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto base = reinterpret_cast<std::uintptr_t>(features_.data());
  const std::uintptr_t tail = (base + used * sizeof(float) + page - 1) / page * page;
  const std::uintptr_t stop = (base + features_.size() * sizeof(float)) / page * page;
  features_.resize(used);
  if (stop > tail) ::madvise(reinterpret_cast<void*>(tail), stop - tail, MADV_DONTNEED);
  labels_.shrink_to_fit();
  row_ids_.shrink_to_fit();
  Dataset data =
      Dataset::FromColumns(std::move(feature_names_), std::move(target_name_), std::move(features_),
                           std::move(labels_), std::move(row_ids_));
  data.set_schema(std::move(schema));
  return data;
}

}  // namespace scaleml
