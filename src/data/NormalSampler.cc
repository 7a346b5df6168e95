#include "data/NormalSampler.h"

namespace scaleml {
namespace {

ZigguratTables BuildTables() {
  // Marsaglia & Tsang's zigset for 256 layers of equal area `kArea`, with 2^52 in place of 2^31.
  constexpr double kTailStart = 3.6541528853610088;
  constexpr double kArea = 0.00492867323399;
  constexpr double kScale = 4503599627370496.0;  // 2^52
  ZigguratTables t{};
  double edge = kTailStart;
  double previous_edge = edge;
  const double q = kArea / std::exp(-0.5 * edge * edge);
  t.k[0] = static_cast<std::uint64_t>((edge / q) * kScale);
  t.k[1] = 0;
  t.w[0] = q / kScale;
  t.w[255] = edge / kScale;
  t.f[0] = 1.0;
  t.f[255] = std::exp(-0.5 * edge * edge);
  for (int i = 254; i >= 1; --i) {
    edge = std::sqrt(-2.0 * std::log(kArea / edge + std::exp(-0.5 * edge * edge)));
    t.k[i + 1] = static_cast<std::uint64_t>((edge / previous_edge) * kScale);
    previous_edge = edge;
    t.f[i] = std::exp(-0.5 * edge * edge);
    t.w[i] = edge / kScale;
  }
  return t;
}

}  // namespace

const ZigguratTables& NormalZiggurat() {
  static const ZigguratTables tables = BuildTables();
  return tables;
}

}  // namespace scaleml
