#include "algo/gbdt/BinnedMatrix.h"

#include <algorithm>
#include <cmath>

#include "algo/gbdt/Parallelism.h"
#include "core/Error.h"

namespace scaleml {

BinnedMatrix::BinnedMatrix(const Dataset& data, const FeatureBins& bins)
    : rows_(data.rows()),
      features_(data.features()),
      bins_(data.rows() * data.features()),
      columns_(data.rows() * data.features()) {
  if (bins.features() != features_) {
    throw Failure("binning has ", bins.features(), " features, the data ", features_);
  }
  for (std::size_t f = 0; f < features_; ++f) {
    if (bins.bins(f) > 256) throw Failure("feature ", f, " has more than 256 bins");
  }
  const std::size_t block = 1 << 13;
  const auto blocks = static_cast<std::int64_t>((rows_ + block - 1) / block);
#pragma omp parallel for schedule(dynamic, \
                                  4) if (static_cast <std::int64_t>(rows_) >= kParallelMinRows)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * block, end = std::min(rows_, begin + block);
    for (std::size_t f = 0; f < features_; ++f) {
      const float* values = data.column(f).data();
      std::uint8_t* out = bins_.data() + f;
      std::uint8_t* column = columns_.data() + f * rows_;
      auto bin_rows = [&](auto bin_of) {
        for (std::size_t r = begin; r < end; ++r) {
          const auto bin = static_cast<std::uint8_t>(bin_of(values[r]));
          out[r * features_] = bin;
          column[r] = bin;
        }
      };
      // The kind is chosen once a feature, not once a value.
      switch (bins.kind(f)) {
        case BinKind::kNumeric:
          bin_rows([&](float v) { return bins.NumericBin(f, v); });
          break;
        case BinKind::kNumericWithMissing:
          bin_rows([&](float v) { return std::isnan(v) ? 0 : bins.NumericBin(f, v) + 1; });
          break;
        case BinKind::kCategorical:
          bin_rows([&](float v) { return bins.CategoryBin(f, v); });
          break;
      }
    }
  }
}

}  // namespace scaleml
