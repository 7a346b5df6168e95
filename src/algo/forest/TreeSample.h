// A tree's bootstrap sample, defined row by row so that it needs no coordination between ranks:
// row r is in tree t's sample Poisson(1)-many times, drawn by a hash of (seed, t, r's global row
// id). That is the usual distributed bootstrap: over n rows it matches n draws with replacement
// in distribution (each count Binomial(n, 1/n) -> Poisson(1)), and it makes the sample, hence the
// forest, independent of how many ranks hold the rows and in what order.
//
// For a tree grown on another rank, a rank packs its rows of the sample (wire format below), the
// owner reads every rank's pack into one TreeSample and grows the tree on it.
// Wire format of one tree's pack: uint64 row count, then per row uint16 class, uint16 weight, the
// features' bin codes (one byte each) and, when raw values are kept, the features' float32 values;
// native byte order (every rank runs the same build).
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/forest/BinnedFeatures.h"

namespace scaleml {

// The bootstrap weights (counts) of rows by global row id for tree `tree_number`; all 1 when
// `bootstrap` is off. Fills `weights` (resized to ids.size()) and returns how many are not 0.
std::size_t BootstrapWeights(std::span<const std::int64_t> ids, std::uint64_t seed,
                             std::uint64_t tree_number, bool bootstrap,
                             std::vector<std::uint16_t>* weights);

// Rows of a tree's sample gathered on the rank that grows it.
struct TreeSample {
  BinnedFeatures rows;
  std::vector<std::int32_t> codes;     // class index per row
  std::vector<std::uint16_t> weights;  // bootstrap count per row, at least 1
};

// The rows of `local` whose weight is not 0, packed (see above).
std::vector<std::byte> PackSample(const BinnedFeatures& local, std::span<const std::int32_t> codes,
                                  std::span<const std::uint16_t> weights, std::size_t kept);

// One tree's sample from the packs of all ranks (pack i from rank i, each exactly one tree's
// pack), with `bounds` the bounds the packs' codes were made with.
TreeSample UnpackSample(std::span<const std::span<const std::byte>> packs,
                        const BinnedFeatures::Bounds& bounds, bool has_raw, int classes);

}  // namespace scaleml
