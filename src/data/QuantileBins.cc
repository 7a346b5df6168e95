#include "data/QuantileBins.h"

#include <limits>

#include "core/Error.h"

namespace scaleml {
namespace {

// A boundary between two adjacent distinct values: their midpoint, kept strictly below `high`
// so that `high` stays in the next bin after rounding to float.
float Between(float low, float high) {
  float mid = static_cast<float>((static_cast<double>(low) + static_cast<double>(high)) / 2.0);
  if (!(mid < high) || !(mid >= low)) mid = low;
  return mid;
}

}  // namespace

std::vector<float> QuantileBins::FindUpperBounds(std::span<const float> sorted, int max_bin) {
  std::vector<float> distinct;
  std::vector<std::size_t> counts;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i == 0 || sorted[i] != sorted[i - 1]) {
      distinct.push_back(sorted[i]);
      counts.push_back(0);
    }
    ++counts.back();
  }
  std::vector<float> bounds;
  if (distinct.size() <= static_cast<std::size_t>(max_bin)) {
    // Few distinct values: one bin each, as LightGBM does.
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i) {
      bounds.push_back(Between(distinct[i], distinct[i + 1]));
    }
  } else {
    // Greedy equal-count cuts; the target is recomputed from what remains, so a heavy value
    // that takes a whole bin does not starve the bins after it.
    std::size_t remaining = sorted.size();
    int bins_left = max_bin;
    std::size_t in_bin = 0;
    for (std::size_t i = 0; i + 1 < distinct.size() && bins_left > 1; ++i) {
      in_bin += counts[i];
      double target = static_cast<double>(remaining) / bins_left;
      // Cut before a heavy next value too, so it gets a bin of its own.
      bool next_is_heavy = static_cast<double>(counts[i + 1]) >= target;
      if (static_cast<double>(in_bin) >= target || next_is_heavy) {
        bounds.push_back(Between(distinct[i], distinct[i + 1]));
        remaining -= in_bin;
        in_bin = 0;
        --bins_left;
      }
    }
  }
  bounds.push_back(std::numeric_limits<float>::infinity());
  return bounds;
}

QuantileBins QuantileBins::FromSamples(std::vector<std::vector<float>> samples, int max_bin) {
  if (max_bin < 2 || max_bin > 256) {
    throw InputError("max_bin=", max_bin, " is out of range [2, 256]");
  }
  const auto features = static_cast<std::int64_t>(samples.size());
  std::vector<std::vector<float>> bounds(samples.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t f = 0; f < features; ++f) {
    auto& values = samples[f];
    std::erase_if(values, [](float v) { return std::isnan(v); });
    std::sort(values.begin(), values.end());
    bounds[f] = FindUpperBounds(values, max_bin);
    std::vector<float>().swap(values);
  }
  QuantileBins bins;
  bins.offsets_.push_back(0);
  for (const auto& feature_bounds : bounds) {
    bins.upper_bounds_.insert(bins.upper_bounds_.end(), feature_bounds.begin(),
                              feature_bounds.end());
    bins.offsets_.push_back(bins.upper_bounds_.size());
  }
  return bins;
}

}  // namespace scaleml
