#include "algo/gbdt/FeatureBins.h"

#include "core/Error.h"

namespace scaleml {

FeatureBins::FeatureBins(const QuantileBins& numeric) {
  for (std::size_t f = 0; f < numeric.features(); ++f) {
    AddNumeric(numeric.upper_bounds(f), false);
  }
}

void FeatureBins::AddNumeric(std::span<const float> upper_bounds, bool has_missing) {
  kinds_.push_back(has_missing ? BinKind::kNumericWithMissing : BinKind::kNumeric);
  bounds_.insert(bounds_.end(), upper_bounds.begin(), upper_bounds.end());
  bound_offsets_.push_back(bounds_.size());
  code_offsets_.push_back(bin_codes_.size());
  code_bin_offsets_.push_back(code_bins_.size());
  category_counts_.push_back(0);
  offsets_.push_back(offsets_.back() + upper_bounds.size() + (has_missing ? 1 : 0));
  if (bins(features() - 1) > 256) throw Failure("gbdt: feature with more than 256 bins");
}

void FeatureBins::AddCategorical(std::size_t category_count, std::span<const std::int32_t> kept) {
  if (kept.size() > 255) throw Failure("gbdt: more than 255 category bins");
  kinds_.push_back(BinKind::kCategorical);
  bound_offsets_.push_back(bounds_.size());
  bin_codes_.insert(bin_codes_.end(), kept.begin(), kept.end());
  code_offsets_.push_back(bin_codes_.size());
  const std::size_t first = code_bins_.size();
  code_bins_.resize(first + category_count, 0);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    code_bins_[first + static_cast<std::size_t>(kept[i])] = static_cast<std::uint8_t>(i + 1);
  }
  code_bin_offsets_.push_back(code_bins_.size());
  category_counts_.push_back(category_count);
  offsets_.push_back(offsets_.back() + kept.size() + 1);
}

}  // namespace scaleml
