#include "algo/forest/ForestBins.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

// Row-major values of this rank's rows that the sample picks, gathered from all ranks.
std::vector<float> GatherSample(const Dataset& local, std::uint64_t seed, Comm& comm) {
  const std::size_t nf = local.features();
  const auto global_rows =
      AllreduceSum<std::int64_t>(comm, static_cast<std::int64_t>(local.rows()));
  const double fraction = global_rows <= static_cast<std::int64_t>(kSampleRows)
                              ? 2.0
                              : static_cast<double>(kSampleRows) / static_cast<double>(global_rows);
  auto ids = local.row_ids();
  std::vector<float> picked;
  for (std::size_t r = 0; r < local.rows(); ++r) {
    if (HashToUnit(HashKey(seed, static_cast<std::uint64_t>(ids[r]), kSampleStream)) >= fraction) {
      continue;
    }
    for (std::size_t f = 0; f < nf; ++f) picked.push_back(local.at(r, f));
  }
  return AllgatherConcat<float>(comm, std::span<const float>(picked));
}

// Every code's count over the rows of all ranks; codes outside 0..categories-1 are not counted.
std::vector<std::int64_t> GlobalCategoryCounts(const Dataset& local, std::size_t f,
                                               std::size_t categories, Comm& comm) {
  std::vector<std::int64_t> counts(categories, 0);
  const auto limit = static_cast<float>(categories);
  for (float x : local.column(f)) {
    if (x >= 0.f && x < limit) ++counts[static_cast<std::size_t>(x)];
  }
  AllreduceSum(comm, std::span<std::int64_t>(counts));
  return counts;
}

// Per feature, whether any rank's rows have NaN there.
std::vector<std::uint8_t> GlobalHasMissing(const Dataset& local, Comm& comm) {
  std::vector<std::int64_t> any(local.features(), 0);
  for (std::size_t f = 0; f < local.features(); ++f) {
    int nan = 0;
    for (float x : local.column(f)) nan |= static_cast<int>(x != x);  // no branch: vectorized
    any[f] = nan;
  }
  Allreduce(comm, std::span<std::int64_t>(any), ReduceOp::kMax);
  return std::vector<std::uint8_t>(any.begin(), any.end());
}

}  // namespace

int ForestBins::ValueBins(std::size_t f) const {
  if (!IsCategorical(f)) return static_cast<int>(bounds[f].size()) + 1;
  int bins = 0;
  for (std::uint8_t bin : category_bins[f]) {
    if (bin != kMissingBin) bins = std::max(bins, bin + 1);
  }
  return bins;
}

std::vector<float> ForestBins::FindBounds(std::vector<float> sample, int max_bin) {
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

std::vector<std::uint8_t> ForestBins::CategoryBins(const std::vector<std::int64_t>& counts,
                                                   int max_bin) {
  std::vector<std::uint32_t> seen;
  for (std::size_t code = 0; code < counts.size(); ++code) {
    if (counts[code] > 0) seen.push_back(static_cast<std::uint32_t>(code));
  }
  std::vector<std::uint8_t> bins(counts.size(), kMissingBin);
  const auto own_bins = static_cast<std::size_t>(max_bin);
  if (seen.size() > own_bins) {
    // The max_bin - 1 most frequent keep their own bin (ties: the smaller code), in code order.
    auto more_frequent = [&](std::uint32_t a, std::uint32_t b) {
      return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
    };
    std::nth_element(seen.begin(), seen.begin() + (own_bins - 1), seen.end(), more_frequent);
    for (std::size_t i = own_bins - 1; i < seen.size(); ++i) {
      bins[seen[i]] = static_cast<std::uint8_t>(own_bins - 1);  // "other"
    }
    seen.resize(own_bins - 1);
    std::sort(seen.begin(), seen.end());
  }
  for (std::size_t i = 0; i < seen.size(); ++i) bins[seen[i]] = static_cast<std::uint8_t>(i);
  return bins;
}

ForestBins ForestBins::Global(const Dataset& local, int max_bin, std::uint64_t seed, Comm& comm) {
  const std::size_t nf = local.features();
  const Schema& schema = local.schema();
  ForestBins out;
  out.bounds.resize(nf);
  out.category_bins.resize(nf);
  out.categorical.resize(nf);
  // Every rank must code the same dictionaries (Schema.h: merged before training).
  std::vector<std::int64_t> sizes(nf), largest(nf);
  for (std::size_t f = 0; f < nf; ++f) {
    out.categorical[f] = schema.IsCategorical(f) ? 1 : 0;
    sizes[f] = schema.IsCategorical(f) ? static_cast<std::int64_t>(schema.CategoryCount(f)) : -1;
  }
  largest = sizes;
  Allreduce(comm, std::span<std::int64_t>(largest), ReduceOp::kMax);
  Allreduce(comm, std::span<std::int64_t>(sizes), ReduceOp::kMin);
  if (sizes != largest) {
    throw Failure(
        "rf: the ranks disagree on which features are categorical or on their number "
        "of categories (dictionaries must be merged before training)");
  }
  for (std::size_t f = 0; f < nf; ++f) {
    if (!out.IsCategorical(f)) continue;
    const auto counts = GlobalCategoryCounts(local, f, static_cast<std::size_t>(largest[f]), comm);
    out.category_bins[f] = CategoryBins(counts, max_bin);
  }

  out.has_missing = GlobalHasMissing(local, comm);
  const std::vector<float> all = GatherSample(local, seed, comm);
  const std::size_t sampled = nf == 0 ? 0 : all.size() / nf;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t f = 0; f < nf; ++f) {
    if (out.IsCategorical(f)) continue;
    std::vector<float> sample(sampled);
    for (std::size_t i = 0; i < sampled; ++i) sample[i] = all[i * nf + f];
    out.bounds[f] = FindBounds(std::move(sample), max_bin);  // sorts: the gathering order is moot
  }
  return out;
}

void ForestBins::SaveCategoryMaps(BinaryWriter& out) const {
  out.Put<std::uint64_t>(features());
  for (std::size_t f = 0; f < features(); ++f) {
    out.Put<std::uint8_t>(categorical[f]);
    if (IsCategorical(f)) out.PutVector(category_bins[f]);
  }
}

ForestBins ForestBins::LoadCategoryMaps(BinaryReader& in, int features) {
  const auto count = in.Get<std::uint64_t>();
  if (count != static_cast<std::uint64_t>(features)) {
    throw in.Corrupt("category maps for " + std::to_string(count) + " features, not " +
                     std::to_string(features));
  }
  ForestBins out;
  out.bounds.resize(count);
  out.category_bins.resize(count);
  out.categorical.resize(count);
  out.has_missing.assign(count, 1);
  for (std::size_t f = 0; f < count; ++f) {
    out.categorical[f] = in.Get<std::uint8_t>();
    if (out.categorical[f] > 1) throw in.Corrupt("feature kind of feature " + std::to_string(f));
    if (out.IsCategorical(f)) out.category_bins[f] = in.GetVector<std::uint8_t>(1ULL << 24);
  }
  return out;
}

}  // namespace scaleml
