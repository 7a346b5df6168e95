#include "algo/gbdt/GlobalBins.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

// Global counts of one pass over the training rows, summed over the ranks in one allreduce:
// [rows][missing values of each feature][category counts of each categorical feature].
struct GlobalCounts {
  std::vector<std::int64_t> values;
  std::vector<std::size_t> category_begin;  // per feature; categorical ones only

  std::int64_t rows() const { return values[0]; }
  std::int64_t missing(std::size_t feature) const { return values[1 + feature]; }
  std::span<const std::int64_t> categories(std::size_t feature, std::size_t count) const {
    return {values.data() + category_begin[feature], count};
  }
};

GlobalCounts CountRows(const Dataset& data, const std::vector<std::uint8_t>& use_row, Comm& comm) {
  const Schema& schema = data.schema();
  const std::size_t features = data.features();
  GlobalCounts counts;
  std::size_t size = 1 + features;
  counts.category_begin.assign(features, 0);
  for (std::size_t f = 0; f < features; ++f) {
    counts.category_begin[f] = size;
    size += schema.CategoryCount(f);
  }
  counts.values.assign(size, 0);
  const std::size_t rows = data.rows();
  for (std::size_t r = 0; r < rows; ++r) counts.values[0] += use_row.empty() || use_row[r];
  for (std::size_t f = 0; f < features; ++f) {
    const float* column = data.column(f).data();
    std::int64_t missing = 0;
    if (!schema.IsCategorical(f)) {
      if (use_row.empty()) {
        for (std::size_t r = 0; r < rows; ++r) missing += std::isnan(column[r]) ? 1 : 0;
      } else {
        for (std::size_t r = 0; r < rows; ++r) missing += use_row[r] && std::isnan(column[r]);
      }
    } else {
      std::int64_t* category = counts.values.data() + counts.category_begin[f];
      const auto count = static_cast<float>(schema.CategoryCount(f));
      for (std::size_t r = 0; r < rows; ++r) {
        if (!use_row.empty() && !use_row[r]) continue;
        const float v = column[r];
        if (v >= 0.0f && v < count) {
          ++category[static_cast<std::size_t>(v)];
        } else {
          ++missing;
        }
      }
    }
    counts.values[1 + f] = missing;
  }
  AllreduceSum(comm, std::span<std::int64_t>(counts.values));
  return counts;
}

// The sampled values of every feature, column by column, from the rows of all ranks.
std::vector<std::vector<float>> GatherSample(const Dataset& data,
                                             const std::vector<std::uint8_t>& use_row, Comm& comm,
                                             double fraction, std::uint64_t seed) {
  const std::size_t features = data.features();
  auto row_ids = data.row_ids();
  std::vector<float> local;  // row-major
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (!use_row.empty() && !use_row[r]) continue;
    if (HashToUnit(HashKey(seed, static_cast<std::uint64_t>(row_ids[r]), 0xb1a5)) >= fraction) {
      continue;
    }
    for (std::size_t f = 0; f < features; ++f) local.push_back(data.at(r, f));
  }
  std::vector<float> all = AllgatherConcat<float>(comm, std::span<const float>(local));
  std::vector<float>().swap(local);
  const std::size_t sampled = features == 0 ? 0 : all.size() / features;
  std::vector<std::vector<float>> columns(features);
  for (std::size_t f = 0; f < features; ++f) {
    if (data.schema().IsCategorical(f)) continue;
    columns[f].resize(sampled);
    for (std::size_t i = 0; i < sampled; ++i) columns[f][i] = all[i * features + f];
  }
  return columns;
}

}  // namespace

std::vector<std::int32_t> KeptCategories(std::span<const std::int64_t> counts, int max_bin) {
  std::vector<std::int32_t> codes;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] > 0) codes.push_back(static_cast<std::int32_t>(c));
  }
  const auto keep = std::min<std::size_t>(codes.size(), static_cast<std::size_t>(max_bin - 1));
  std::partial_sort(codes.begin(), codes.begin() + static_cast<std::ptrdiff_t>(keep), codes.end(),
                    [&](std::int32_t a, std::int32_t b) {
                      return counts[a] > counts[b] || (counts[a] == counts[b] && a < b);
                    });
  codes.resize(keep);
  return codes;
}

FeatureBins FindGlobalBins(const Dataset& data, const std::vector<std::uint8_t>& use_row,
                           Comm& comm, int max_bin, std::int64_t sample_count, std::uint64_t seed) {
  if (max_bin < 2 || max_bin > 256) {
    throw InputError("max_bin=", max_bin, " is out of range [2, 256]");
  }
  const Schema& schema = data.schema();
  const std::size_t features = data.features();
  const GlobalCounts counts = CountRows(data, use_row, comm);
  const std::int64_t global_rows = counts.rows();
  const double fraction =
      global_rows <= sample_count ? 2.0 : static_cast<double>(sample_count) / global_rows;
  std::vector<std::vector<float>> columns = GatherSample(data, use_row, comm, fraction, seed);

  // Quantiles of the numeric features, in parallel; a missing bin leaves room for 255 others.
  std::vector<std::vector<float>> bounds(features);
  const auto feature_count = static_cast<std::int64_t>(features);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t f = 0; f < feature_count; ++f) {
    if (schema.IsCategorical(f)) continue;
    auto& values = columns[f];
    std::erase_if(values, [](float v) { return std::isnan(v); });
    std::sort(values.begin(), values.end());
    const int numeric_bins = counts.missing(f) > 0 ? std::min(max_bin, 255) : max_bin;
    bounds[f] = QuantileBins::FindUpperBounds(values, numeric_bins);
    std::vector<float>().swap(values);
  }
  FeatureBins bins;
  for (std::size_t f = 0; f < features; ++f) {
    if (schema.IsCategorical(f)) {
      const std::size_t count = schema.CategoryCount(f);
      bins.AddCategorical(count, KeptCategories(counts.categories(f, count), max_bin));
    } else {
      bins.AddNumeric(bounds[f], counts.missing(f) > 0);
    }
  }
  return bins;
}

}  // namespace scaleml
