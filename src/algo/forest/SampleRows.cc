#include "algo/forest/SampleRows.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

constexpr std::uint64_t kBootstrapStream = 0xb007;

// P(Poisson(1) <= k) * 2^64 for k = 0..: a row's count is the number of these thresholds at or
// below a uniform 64-bit draw. Beyond 18 the remaining mass (< 1e-17) is below what the draw
// resolves; counts 4 and up (2% of rows) take the slow path.
constexpr std::size_t kMaxCount = 18;
constexpr std::size_t kFastCounts = 4;
const std::array<std::uint64_t, kMaxCount>& PoissonOneThresholds() {
  static const std::array<std::uint64_t, kMaxCount> thresholds = [] {
    std::array<std::uint64_t, kMaxCount> out{};
    long double term = std::exp(-1.0L), sum = 0.0L;
    for (std::size_t k = 0; k < kMaxCount; ++k) {
      sum += term;
      const long double scaled = std::ldexp(sum, 64);
      out[k] = scaled >= std::ldexp(1.0L, 64) ? std::numeric_limits<std::uint64_t>::max()
                                              : static_cast<std::uint64_t>(scaled);
      term /= static_cast<long double>(k + 1);
    }
    return out;
  }();
  return thresholds;
}

std::size_t RowBytes(std::size_t features, std::size_t trees, bool has_raw) {
  return 2 + trees + features + (has_raw ? 4 * features : 0);
}

}  // namespace

std::size_t BootstrapWeights(std::span<const std::int64_t> ids, std::uint64_t seed,
                             std::uint64_t tree_number, bool bootstrap,
                             std::vector<std::uint16_t>* weights) {
  const std::size_t n = ids.size();
  weights->resize(n);
  if (!bootstrap) {
    std::fill(weights->begin(), weights->end(), std::uint16_t{1});
    return n;
  }
  const auto& thresholds = PoissonOneThresholds();
  const std::uint64_t t0 = thresholds[0], t1 = thresholds[1], t2 = thresholds[2],
                      t3 = thresholds[3];
  // Row r's draw is output number `id` of the SplitMix64 stream that the tree's key seeds: one
  // mix per row (this runs for every row and tree).
  const std::uint64_t tree_key = HashKey(seed, tree_number, kBootstrapStream);
  std::size_t kept = 0;
  std::uint16_t* out = weights->data();
  // Parallel when called outside a parallel region (a rank packing rows for another's tree).
#pragma omp parallel for schedule(static) reduction(+ : kept) if (n > 65536)
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint64_t draw =
        Mix64(tree_key + static_cast<std::uint64_t>(ids[r]) * 0x9e3779b97f4a7c15ULL);
    std::size_t count =
        static_cast<std::size_t>(draw >= t0) + (draw >= t1) + (draw >= t2) + (draw >= t3);
    if (count == kFastCounts) {
      while (count + 1 < kMaxCount && draw >= thresholds[count]) ++count;
    }
    out[r] = static_cast<std::uint16_t>(count);
    kept += count > 0;
  }
  return kept;
}

std::vector<std::byte> PackSampleRows(const BinnedFeatures& local,
                                      std::span<const std::int32_t> codes,
                                      std::span<const std::vector<std::uint16_t>> weights) {
  const std::size_t nf = static_cast<std::size_t>(local.features()), trees = weights.size();
  const bool has_raw = local.has_raw();
  const std::size_t row_bytes = RowBytes(nf, trees, has_raw);
  auto counted = [&](std::size_t r) {
    for (const auto& tree : weights) {
      if (tree[r] > 0) return true;
    }
    return false;
  };
  std::uint64_t count = 0;
  for (std::size_t r = 0; r < local.rows(); ++r) count += counted(r);
  std::vector<std::byte> out(8 + count * row_bytes);
  std::memcpy(out.data(), &count, 8);
  std::byte* at = out.data() + 8;
  for (std::size_t r = 0; r < local.rows(); ++r) {
    if (!counted(r)) continue;
    const auto cls = static_cast<std::uint16_t>(codes[r]);
    std::memcpy(at, &cls, 2);
    for (std::size_t t = 0; t < trees; ++t) at[2 + t] = static_cast<std::byte>(weights[t][r]);
    std::memcpy(at + 2 + trees, local.row_bins(r), nf);
    if (has_raw) std::memcpy(at + 2 + trees + nf, local.row_values(r), 4 * nf);
    at += row_bytes;
  }
  return out;
}

SampleRows UnpackSampleRows(std::span<const std::span<const std::byte>> packs, std::size_t trees,
                            const ForestBins& bins, bool has_raw, int classes) {
  const std::size_t nf = bins.features();
  const std::size_t row_bytes = RowBytes(nf, trees, has_raw);
  std::size_t rows = 0;
  for (std::size_t rank = 0; rank < packs.size(); ++rank) {
    const auto& pack = packs[rank];
    std::uint64_t count = 0;
    if (pack.size() >= 8) std::memcpy(&count, pack.data(), 8);
    if (pack.size() < 8 || (pack.size() - 8) % row_bytes != 0 ||
        (pack.size() - 8) / row_bytes != count) {
      throw Failure("rf: the bootstrap rows from rank ", rank, " are ", pack.size(),
                    " bytes, not a count and rows of ", row_bytes,
                    " bytes (do all ranks run the same build on the same columns?)");
    }
    rows += count;
  }
  SampleRows sample;
  std::vector<std::uint8_t> codes(rows * nf);
  std::vector<float> raw(has_raw ? rows * nf : 0);
  sample.codes.resize(rows);
  sample.weights.assign(trees, std::vector<std::uint16_t>(rows));
  std::size_t row = 0;
  for (std::size_t rank = 0; rank < packs.size(); ++rank) {
    const std::byte* at = packs[rank].data() + 8;
    const std::byte* end = packs[rank].data() + packs[rank].size();
    for (; at < end; at += row_bytes, ++row) {
      std::uint16_t cls;
      std::memcpy(&cls, at, 2);
      if (cls >= classes) {
        throw Failure("rf: rank ", rank, " sent a bootstrap row of class ", cls, " (", classes,
                      " classes)");
      }
      sample.codes[row] = cls;
      for (std::size_t t = 0; t < trees; ++t) {
        sample.weights[t][row] = static_cast<std::uint16_t>(at[2 + t]);
      }
      std::memcpy(codes.data() + row * nf, at + 2 + trees, nf);
      if (has_raw) std::memcpy(raw.data() + row * nf, at + 2 + trees + nf, 4 * nf);
    }
  }
  sample.rows = BinnedFeatures::FromRows(bins, std::move(codes), std::move(raw));
  return sample;
}

}  // namespace scaleml
