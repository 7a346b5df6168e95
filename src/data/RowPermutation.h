// A pseudo-random permutation of [0, n) that maps any single index in O(1): a four-round Feistel
// network on the smallest even-bit power of two >= n, with cycle walking to stay inside [0, n).
// It lets every block of a chunk's shuffled rows be made independently, so a chunk needs no
// shuffled index array and the work splits into blocks of any size across threads.
// Thread-safety: immutable after construction; At() is safe from any thread.
#pragma once

#include <cstdint>

#include "core/Hash.h"

namespace scaleml {

class RowPermutation {
 public:
  // The identity when !shuffle.
  RowPermutation(std::uint64_t n, std::uint64_t key, bool shuffle) : n_(n), shuffle_(shuffle) {
    while ((std::uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
    mask_ = (std::uint64_t{1} << half_bits_) - 1;
    for (int r = 0; r < kRounds; ++r) keys_[r] = HashKey(key, static_cast<std::uint64_t>(r));
  }

  std::uint64_t size() const { return n_; }

  // The image of `index` < size().
  std::uint64_t At(std::uint64_t index) const {
    if (!shuffle_) return index;
    std::uint64_t x = index;
    do {
      x = Encrypt(x);
    } while (x >= n_);  // cycle walking: the domain is at most 4n, so ~2 steps on average
    return x;
  }

 private:
  static constexpr int kRounds = 4;

  std::uint64_t Encrypt(std::uint64_t x) const {
    std::uint64_t left = x >> half_bits_;
    std::uint64_t right = x & mask_;
    for (int r = 0; r < kRounds; ++r) {
      const std::uint64_t next = left ^ (Mix64(right ^ keys_[r]) & mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  std::uint64_t n_;
  bool shuffle_;
  int half_bits_ = 0;
  std::uint64_t mask_ = 0;
  std::uint64_t keys_[kRounds] = {};
};

}  // namespace scaleml
