#include "algo/forest/BinnedFeatures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

// Enough rows to place 255 quantiles well (about 400 per bin); more only costs sorting time.
constexpr std::size_t kSampleRows = 100000;
constexpr std::uint64_t kSampleStream = 0xb1a5;

// A midpoint strictly below `high` and not below `low` (float rounding may reach `high`).
float Midpoint(float low, float high) {
  float mid = static_cast<float>((static_cast<double>(low) + static_cast<double>(high)) / 2.0);
  return (mid >= high || !std::isfinite(mid)) ? low : mid;
}

// Bounds padded with +inf to 256 entries, so the search below takes a fixed 8 steps.
constexpr std::size_t kPaddedBounds = 256;

// The number of bounds below x (std::lower_bound's index) in padded bounds, without branches to
// mispredict; NaN goes to the last bin, `size`.
std::uint8_t BinOf(const float* padded, std::size_t size, float x) {
  // Arithmetic on the comparison, not a conditional, so the compiler cannot turn it into jumps.
  std::size_t at = 0;
  for (std::size_t half = kPaddedBounds / 2; half >= 1; half /= 2) {
    at += static_cast<std::size_t>(padded[at + half - 1] < x) * half;
  }
  const std::size_t below = at + static_cast<std::size_t>(padded[at] < x);
  return static_cast<std::uint8_t>(std::isnan(x) ? size : below);
}

}  // namespace

std::vector<float> BinnedFeatures::FindBounds(std::vector<float> sample, int max_bin) {
  sample.erase(std::remove_if(sample.begin(), sample.end(), [](float x) { return std::isnan(x); }),
               sample.end());
  std::sort(sample.begin(), sample.end());
  std::vector<float> distinct;
  std::vector<std::size_t> counts;
  for (float x : sample) {
    if (distinct.empty() || x != distinct.back()) {
      distinct.push_back(x);
      counts.push_back(0);
    }
    ++counts.back();
  }
  std::vector<float> bounds;
  if (distinct.size() <= static_cast<std::size_t>(max_bin)) {
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i) {
      bounds.push_back(Midpoint(distinct[i], distinct[i + 1]));
    }
    return bounds;
  }
  // Cut after the distinct value where the running count passes each quantile.
  const double per_bin = static_cast<double>(sample.size()) / max_bin;
  std::size_t running = 0;
  double next_cut = per_bin;
  for (std::size_t i = 0; i + 1 < distinct.size(); ++i) {
    running += counts[i];
    if (static_cast<double>(running) >= next_cut) {
      bounds.push_back(Midpoint(distinct[i], distinct[i + 1]));
      if (bounds.size() + 1 >= static_cast<std::size_t>(max_bin)) break;
      while (next_cut <= static_cast<double>(running)) next_cut += per_bin;
    }
  }
  return bounds;
}

BinnedFeatures::Bounds BinnedFeatures::GlobalBounds(const Dataset& local, int max_bin,
                                                    std::uint64_t seed, Comm& comm) {
  const std::size_t nf = local.features();
  const auto global_rows =
      AllreduceSum<std::int64_t>(comm, static_cast<std::int64_t>(local.rows()));
  const double fraction = global_rows <= static_cast<std::int64_t>(kSampleRows)
                              ? 2.0
                              : static_cast<double>(kSampleRows) / static_cast<double>(global_rows);
  // Row-major values of the picked rows held here.
  auto ids = local.row_ids();
  std::vector<float> picked;
  for (std::size_t r = 0; r < local.rows(); ++r) {
    if (HashToUnit(HashKey(seed, static_cast<std::uint64_t>(ids[r]), kSampleStream)) >= fraction) {
      continue;
    }
    for (std::size_t f = 0; f < nf; ++f) picked.push_back(local.at(r, f));
  }
  const std::vector<float> all = AllgatherConcat<float>(comm, std::span<const float>(picked));
  const std::size_t sampled = nf == 0 ? 0 : all.size() / nf;
  Bounds bounds(nf);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t f = 0; f < nf; ++f) {
    std::vector<float> sample(sampled);
    for (std::size_t i = 0; i < sampled; ++i) sample[i] = all[i * nf + f];
    bounds[f] = FindBounds(std::move(sample), max_bin);  // sorts: the gathering order is moot
  }
  return bounds;
}

BinnedFeatures BinnedFeatures::FromRows(Bounds bounds, std::vector<std::uint8_t> codes,
                                        std::vector<float> raw) {
  BinnedFeatures out;
  out.features_ = static_cast<int>(bounds.size());
  out.rows_ = out.features_ == 0 ? 0 : codes.size() / out.features_;
  if (!raw.empty() && raw.size() != codes.size()) {
    throw Failure("rf: ", codes.size(), " bin codes but ", raw.size(), " raw values");
  }
  out.bounds_ = std::move(bounds);
  out.codes_ = std::move(codes);
  out.raw_ = std::move(raw);
  return out;
}

BinnedFeatures BinnedFeatures::Build(const Dataset& data, Bounds bounds, bool keep_raw) {
  BinnedFeatures out;
  out.rows_ = data.rows();
  out.features_ = static_cast<int>(data.features());
  const std::size_t n = out.rows_;
  const int nf = out.features_;
  if (bounds.size() != data.features()) {
    throw Failure("rf: bin bounds for ", bounds.size(), " features, but the data has ",
                  data.features());
  }
  out.bounds_ = std::move(bounds);

  out.codes_.resize(n * nf);
  if (keep_raw) out.raw_.resize(n * nf);
  std::vector<float> padded(static_cast<std::size_t>(nf) * kPaddedBounds,
                            std::numeric_limits<float>::infinity());
  for (int f = 0; f < nf; ++f) {
    std::copy(out.bounds_[f].begin(), out.bounds_[f].end(), padded.begin() + f * kPaddedBounds);
  }
  // Blocks of rows: each column is read sequentially, the row-major output written once.
  constexpr std::size_t kBlock = 4096;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
    for (int f = 0; f < nf; ++f) {
      auto column = data.column(f);
      const float* bounds = padded.data() + f * kPaddedBounds;
      const std::size_t size = out.bounds_[f].size();
      std::uint8_t* codes = out.codes_.data() + f;
      for (std::size_t r = begin; r < end; ++r) codes[r * nf] = BinOf(bounds, size, column[r]);
      if (keep_raw) {
        float* raw = out.raw_.data() + f;
        for (std::size_t r = begin; r < end; ++r) raw[r * nf] = column[r];
      }
    }
  }
  return out;
}

}  // namespace scaleml
