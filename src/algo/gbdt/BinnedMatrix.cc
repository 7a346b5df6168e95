#include "algo/gbdt/BinnedMatrix.h"

#include "core/Error.h"

namespace scaleml {

BinnedMatrix::BinnedMatrix(const Dataset& data, const QuantileBins& bins)
    : rows_(data.rows()), features_(data.features()), bins_(data.rows() * data.features()) {
  if (bins.features() != features_) {
    throw Failure("binning has ", bins.features(), " features, the data ", features_);
  }
  for (std::size_t f = 0; f < features_; ++f) {
    if (bins.bins(f) > 256) throw Failure("feature ", f, " has more than 256 bins");
  }
  const std::size_t block = 1 << 14;
  const std::size_t blocks = (rows_ + block - 1) / block;
  const auto total = static_cast<std::int64_t>(blocks * features_);
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int64_t task = 0; task < total; ++task) {
    const std::size_t f = static_cast<std::size_t>(task) / blocks;
    const std::size_t begin = (static_cast<std::size_t>(task) % blocks) * block;
    const std::size_t end = std::min(rows_, begin + block);
    auto values = data.column(f);
    std::uint8_t* out = bins_.data() + f * rows_;
    for (std::size_t r = begin; r < end; ++r) {
      out[r] = static_cast<std::uint8_t>(bins.Bin(f, values[r]));
    }
  }
}

}  // namespace scaleml
