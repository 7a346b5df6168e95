// Seeded integer hashing and a small fast RNG. Thread-safety: Rng is per-thread state; the free
// functions are pure.
#pragma once

#include <cstdint>

namespace scaleml {

// SplitMix64 finaliser: a strong 64-bit mix, used to derive streams and hash row indices.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hash of (seed, a, b): the same value on every rank, engine and partitioning.
constexpr std::uint64_t HashKey(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  return Mix64(Mix64(Mix64(seed) ^ a) ^ (b * 0xd1342543de82ef95ULL));
}

// A uniform double in [0, 1) from 53 high bits of a hash.
constexpr double HashToUnit(std::uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

// xoshiro256** seeded through SplitMix64: fast, small, good enough for sampling and generation.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t s = HashKey(seed, stream, 0x5ca1e);
    for (auto& word : state_) {
      s += 0x9e3779b97f4a7c15ULL;
      word = Mix64(s);
    }
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return HashToUnit(Next()); }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-64 * n).
  std::uint64_t Below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace scaleml
