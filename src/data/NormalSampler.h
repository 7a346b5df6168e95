// Standard normal deviates from an Rng by the 256-layer ziggurat (Marsaglia & Tsang 2000, with
// numpy's 64-bit layout: 8 bits pick the layer, 1 bit the sign, 52 bits the abscissa). About 99%
// of draws cost one Rng step and a multiply, which matters when a generator needs a billion of
// them. Thread-safety: the tables are immutable after static initialisation; each caller passes
// its own Rng.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/Hash.h"

namespace scaleml {

struct ZigguratTables {
  std::uint64_t k[256];  // acceptance thresholds of the 52-bit abscissa, per layer
  double w[256];         // abscissa scale per layer
  double f[256];         // density at each layer's edge
};

// The tables, computed once.
const ZigguratTables& NormalZiggurat();

// One standard normal deviate.
inline double SampleNormal(Rng& rng, const ZigguratTables& t) {
  constexpr double kTailStart = 3.6541528853610088;  // r: where the base layer's tail begins
  for (;;) {
    std::uint64_t bits = rng.Next();
    const unsigned layer = static_cast<unsigned>(bits & 0xff);
    bits >>= 8;
    const bool negative = (bits & 1) != 0;
    const std::uint64_t abscissa = (bits >> 1) & 0x000fffffffffffffULL;
    double x = static_cast<double>(abscissa) * t.w[layer];
    if (negative) x = -x;
    if (abscissa < t.k[layer]) return x;  // inside the layer's rectangle
    if (layer == 0) {
      // The tail beyond r, by Marsaglia's exponential rejection.
      for (;;) {
        const double xx = -std::log1p(-rng.Uniform()) / kTailStart;
        const double yy = -std::log1p(-rng.Uniform());
        if (yy + yy > xx * xx) return negative ? -(kTailStart + xx) : kTailStart + xx;
      }
    }
    // The wedge between the rectangle and the curve.
    if ((t.f[layer - 1] - t.f[layer]) * rng.Uniform() + t.f[layer] < std::exp(-0.5 * x * x)) {
      return x;
    }
  }
}

inline double SampleNormal(Rng& rng) { return SampleNormal(rng, NormalZiggurat()); }

}  // namespace scaleml
