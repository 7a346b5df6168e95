// The training rows as histogram bins: one uint8 per value, row-major (a row's bins are
// contiguous), a quarter of the float data. Row-major because a leaf's histogram visits the
// leaf's rows, scattered over the data: one cache line then brings all of a row's features,
// where a column layout would take one miss per feature (LightGBM's row-wise mode, XGBoost's
// GHistIndexMatrix). A column-major copy serves the partition, which reads one feature of a
// leaf's rows: a column (one byte a row) stays in cache where the rows would not.
// Thread-safety: immutable after construction; safe to read from any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "algo/gbdt/FeatureBins.h"
#include "data/Dataset.h"

namespace scaleml {

class BinnedMatrix {
 public:
  // Bins every row of `data` (in parallel); `bins` must have one entry per feature, <= 256 bins.
  BinnedMatrix(const Dataset& data, const FeatureBins& bins);

  std::size_t rows() const { return rows_; }
  std::size_t features() const { return features_; }
  const std::uint8_t* row(std::size_t r) const { return bins_.data() + r * features_; }
  std::uint8_t at(std::size_t r, std::size_t feature) const {
    return bins_[r * features_ + feature];
  }
  // The bins of one feature, indexed by row.
  const std::uint8_t* column(std::size_t feature) const {
    return columns_.data() + feature * rows_;
  }

 private:
  std::size_t rows_;
  std::size_t features_;
  std::vector<std::uint8_t> bins_;
  std::vector<std::uint8_t> columns_;
};

}  // namespace scaleml
