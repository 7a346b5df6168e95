#include "algo/forest/BinnedFeatures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/Error.h"

namespace scaleml {
namespace {

// Bounds padded with +inf to 256 entries, so the search below takes a fixed 8 steps.
constexpr std::size_t kPaddedBounds = 256;

// The number of bounds below x (std::lower_bound's index) in padded bounds, without branches to
// mispredict; NaN goes to kMissingBin.
std::uint8_t BinOf(const float* padded, float x) {
  // Arithmetic on the comparison, not a conditional, so the compiler cannot turn it into jumps.
  std::size_t at = 0;
  for (std::size_t half = kPaddedBounds / 2; half >= 1; half /= 2) {
    at += static_cast<std::size_t>(padded[at + half - 1] < x) * half;
  }
  const std::size_t below = at + static_cast<std::size_t>(padded[at] < x);
  return std::isnan(x) ? ForestBins::kMissingBin : static_cast<std::uint8_t>(below);
}

}  // namespace

void BinnedFeatures::SetBins(ForestBins bins) {
  bins_ = std::move(bins);
  value_bins_.resize(bins_.features());
  for (std::size_t f = 0; f < bins_.features(); ++f) {
    value_bins_[f] = bins_.ValueBins(f);
  }
}

BinnedFeatures BinnedFeatures::FromRows(ForestBins bins, std::vector<std::uint8_t> codes,
                                        std::vector<float> raw) {
  BinnedFeatures out;
  out.features_ = static_cast<int>(bins.features());
  out.rows_ = out.features_ == 0 ? 0 : codes.size() / out.features_;
  if (!raw.empty() && raw.size() != codes.size()) {
    throw Failure("rf: ", codes.size(), " bin codes but ", raw.size(), " raw values");
  }
  out.SetBins(std::move(bins));
  out.codes_ = std::move(codes);
  out.raw_ = std::move(raw);
  return out;
}

BinnedFeatures BinnedFeatures::Build(const Dataset& data, ForestBins bins, bool keep_raw) {
  BinnedFeatures out;
  out.rows_ = data.rows();
  out.features_ = static_cast<int>(data.features());
  const std::size_t n = out.rows_;
  const int nf = out.features_;
  if (bins.features() != data.features()) {
    throw Failure("rf: bins for ", bins.features(), " features, but the data has ",
                  data.features());
  }
  out.SetBins(std::move(bins));

  out.codes_.resize(n * nf);
  if (keep_raw) out.raw_.resize(n * nf);
  std::vector<float> padded(static_cast<std::size_t>(nf) * kPaddedBounds,
                            std::numeric_limits<float>::infinity());
  for (int f = 0; f < nf; ++f) {
    const auto& bounds = out.bins_.bounds[f];
    std::copy(bounds.begin(), bounds.end(), padded.begin() + f * kPaddedBounds);
  }
  // Blocks of rows: each column is read sequentially, the row-major output written once.
  constexpr std::size_t kBlock = 4096;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
    for (int f = 0; f < nf; ++f) {
      auto column = data.column(f);
      std::uint8_t* codes = out.codes_.data() + f;
      if (out.bins_.IsCategorical(f)) {
        for (std::size_t r = begin; r < end; ++r) {
          codes[r * nf] = out.bins_.CategoryBin(f, column[r]);
        }
      } else {
        const float* bounds = padded.data() + f * kPaddedBounds;
        for (std::size_t r = begin; r < end; ++r) codes[r * nf] = BinOf(bounds, column[r]);
      }
      if (keep_raw) {
        float* raw = out.raw_.data() + f;
        for (std::size_t r = begin; r < end; ++r) raw[r * nf] = column[r];
      }
    }
  }
  return out;
}

}  // namespace scaleml
