#include "algo/forest/TreeSample.h"

#include <array>
#include <cmath>
#include <cstring>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

constexpr std::uint64_t kBootstrapStream = 0xb007;

// P(Poisson(1) <= k) for k = 0..: a count is the first k whose cumulative probability exceeds a
// uniform draw. Beyond 18 the remaining mass (< 1e-17) is below a double's resolution near 1.
constexpr std::size_t kMaxCount = 18;
const std::array<double, kMaxCount>& PoissonOneCdf() {
  static const std::array<double, kMaxCount> cdf = [] {
    std::array<double, kMaxCount> out{};
    long double term = std::exp(-1.0L), sum = 0.0L;
    for (std::size_t k = 0; k < kMaxCount; ++k) {
      sum += term;
      out[k] = static_cast<double>(sum);
      term /= static_cast<long double>(k + 1);
    }
    return out;
  }();
  return cdf;
}

std::size_t RowBytes(std::size_t features, bool has_raw) {
  return 4 + features + (has_raw ? 4 * features : 0);
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
  const auto& cdf = PoissonOneCdf();
  const std::uint64_t tree_key = HashKey(seed, tree_number, kBootstrapStream);
  std::size_t kept = 0;
  std::uint16_t* out = weights->data();
  // Parallel when called outside a parallel region (a rank packing rows for another's tree).
#pragma omp parallel for schedule(static) reduction(+ : kept) if (n > 65536)
  for (std::size_t r = 0; r < n; ++r) {
    const double u = HashToUnit(HashKey(tree_key, static_cast<std::uint64_t>(ids[r])));
    std::size_t count = 0;
    while (count + 1 < kMaxCount && u >= cdf[count]) ++count;
    out[r] = static_cast<std::uint16_t>(count);
    kept += count > 0;
  }
  return kept;
}

std::vector<std::byte> PackSample(const BinnedFeatures& local, std::span<const std::int32_t> codes,
                                  std::span<const std::uint16_t> weights, std::size_t kept) {
  const std::size_t nf = static_cast<std::size_t>(local.features());
  const bool has_raw = local.has_raw();
  const std::size_t row_bytes = RowBytes(nf, has_raw);
  std::vector<std::byte> out(8 + kept * row_bytes);
  const std::uint64_t count = kept;
  std::memcpy(out.data(), &count, 8);
  std::byte* at = out.data() + 8;
  std::size_t written = 0;
  for (std::size_t r = 0; r < weights.size(); ++r) {
    if (weights[r] == 0) continue;
    if (++written > kept) throw Failure("rf: more bootstrap rows than counted (", kept, ")");
    const auto cls = static_cast<std::uint16_t>(codes[r]);
    std::memcpy(at, &cls, 2);
    std::memcpy(at + 2, &weights[r], 2);
    std::memcpy(at + 4, local.row_bins(r), nf);
    if (has_raw) std::memcpy(at + 4 + nf, local.row_values(r), 4 * nf);
    at += row_bytes;
  }
  if (written != kept) throw Failure("rf: ", written, " bootstrap rows, ", kept, " counted");
  return out;
}

TreeSample UnpackSample(std::span<const std::span<const std::byte>> packs,
                        const BinnedFeatures::Bounds& bounds, bool has_raw, int classes) {
  const std::size_t nf = bounds.size();
  const std::size_t row_bytes = RowBytes(nf, has_raw);
  std::size_t rows = 0;
  for (std::size_t rank = 0; rank < packs.size(); ++rank) {
    const auto& pack = packs[rank];
    std::uint64_t count = 0;
    if (pack.size() >= 8) std::memcpy(&count, pack.data(), 8);
    if (pack.size() < 8 || (pack.size() - 8) / row_bytes != count ||
        (pack.size() - 8) % row_bytes != 0) {
      throw Failure("rf: the bootstrap rows from rank ", rank, " are ", pack.size(),
                    " bytes, not a count and rows of ", row_bytes,
                    " bytes (do all ranks run the same build on the same columns?)");
    }
    rows += count;
  }
  TreeSample sample;
  std::vector<std::uint8_t> bins(rows * nf);
  std::vector<float> raw(has_raw ? rows * nf : 0);
  sample.codes.resize(rows);
  sample.weights.resize(rows);
  std::size_t row = 0;
  for (std::size_t rank = 0; rank < packs.size(); ++rank) {
    const std::byte* at = packs[rank].data() + 8;
    const std::byte* end = packs[rank].data() + packs[rank].size();
    for (; at < end; at += row_bytes, ++row) {
      std::uint16_t cls, weight;
      std::memcpy(&cls, at, 2);
      std::memcpy(&weight, at + 2, 2);
      if (cls >= classes || weight == 0) {
        throw Failure("rf: rank ", rank, " sent a bootstrap row of class ", cls, " and weight ",
                      weight, " (", classes, " classes)");
      }
      sample.codes[row] = cls;
      sample.weights[row] = weight;
      std::memcpy(bins.data() + row * nf, at + 4, nf);
      if (has_raw) std::memcpy(raw.data() + row * nf, at + 4 + nf, 4 * nf);
    }
  }
  sample.rows = BinnedFeatures::FromRows(bounds, std::move(bins), std::move(raw));
  return sample;
}

}  // namespace scaleml
