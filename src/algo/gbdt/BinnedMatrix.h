// The training rows as histogram bins: one uint8 per value, feature-major (a column per
// feature), so that building a histogram streams one small column. A quarter of the float data.
// Thread-safety: immutable after construction; safe to read from any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "data/Dataset.h"
#include "data/QuantileBins.h"

namespace scaleml {

class BinnedMatrix {
 public:
  // Bins every row of `data` (in parallel); `bins` must have one entry per feature, <= 256 bins.
  BinnedMatrix(const Dataset& data, const QuantileBins& bins);

  std::size_t rows() const { return rows_; }
  std::size_t features() const { return features_; }
  const std::uint8_t* column(std::size_t feature) const { return bins_.data() + feature * rows_; }
  std::uint8_t at(std::size_t row, std::size_t feature) const {
    return bins_[feature * rows_ + row];
  }

 private:
  std::size_t rows_;
  std::size_t features_;
  std::vector<std::uint8_t> bins_;
};

}  // namespace scaleml
