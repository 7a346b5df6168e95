// Shortest round-trip formatting and the Dataset CSV writer: every float and double reads back
// with identical bits, the text is the shortest that does, and the parallel writer gives the same
// bytes as the in-memory formatter.
#include "data/CsvWriter.h"

#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "core/AtomicFile.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

std::uint32_t ParseFloatBits(const std::string& text) {
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  EXPECT_EQ(end, text.c_str() + text.size()) << text;
  return std::bit_cast<std::uint32_t>(value);
}

std::uint64_t ParseDoubleBits(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  EXPECT_EQ(end, text.c_str() + text.size()) << text;
  return std::bit_cast<std::uint64_t>(value);
}

void ExpectFloatRoundTrip(std::uint32_t bits) {
  const float value = std::bit_cast<float>(bits);
  if (!std::isfinite(value)) return;
  char buffer[kMaxFloatChars + 8];
  const std::string text(buffer, FormatShortest(buffer, value));
  ASSERT_LE(text.size(), static_cast<std::size_t>(kMaxFloatChars)) << text;
  ASSERT_EQ(ParseFloatBits(text), bits) << text;
}

void ExpectDoubleRoundTrip(std::uint64_t bits) {
  const double value = std::bit_cast<double>(bits);
  if (!std::isfinite(value)) return;
  const std::string text = ShortestText(value);
  ASSERT_LE(text.size(), static_cast<std::size_t>(kMaxDoubleChars)) << text;
  ASSERT_EQ(ParseDoubleBits(text), bits) << text;
}

TEST(CsvWriterTest, FloatRoundTripIsBitExactForRandomPatterns) {
  Rng rng(7);
  for (int i = 0; i < 300000; ++i) ExpectFloatRoundTrip(static_cast<std::uint32_t>(rng.Next()));
}

TEST(CsvWriterTest, FloatRoundTripIsBitExactForExtremesAndDenormals) {
  const std::uint32_t special[] = {0x00000000u, 0x80000000u,  // +0, -0
                                   0x00000001u, 0x80000001u,  // smallest denormals
                                   0x007fffffu, 0x807fffffu,  // largest denormals
                                   0x00800000u,               // FLT_MIN
                                   0x7f7fffffu, 0xff7fffffu,  // +-FLT_MAX
                                   0x3f800000u, 0x3f800001u, 0x3f7fffffu, 0x3dcccccdu};
  for (std::uint32_t bits : special) ExpectFloatRoundTrip(bits);
  // Every denormal exponent and a sweep of mantissas at every exponent.
  for (std::uint32_t exponent = 0; exponent < 255; ++exponent) {
    for (std::uint32_t mantissa : {0u, 1u, 2u, 0x400000u, 0x7ffffeu, 0x7fffffu, 0x123457u}) {
      ExpectFloatRoundTrip((exponent << 23) | mantissa);
      ExpectFloatRoundTrip(0x80000000u | (exponent << 23) | mantissa);
    }
  }
}

TEST(CsvWriterTest, DoubleRoundTripIsBitExact) {
  Rng rng(11);
  for (int i = 0; i < 200000; ++i) ExpectDoubleRoundTrip(rng.Next());
  const std::uint64_t special[] = {
      0x0000000000000001ull, 0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
      0x8000000000000000ull, 0xffefffffffffffffull, 0x3fb999999999999aull};
  for (std::uint64_t bits : special) ExpectDoubleRoundTrip(bits);
}

TEST(CsvWriterTest, TextIsTheShortestThatRoundTrips) {
  // Known shortest forms: the float overload must not print the double widening of a float.
  EXPECT_EQ(ShortestText(0.1f), "0.1");
  EXPECT_EQ(ShortestText(0.1), "0.1");
  EXPECT_EQ(ShortestText(1.0f), "1");
  EXPECT_EQ(ShortestText(-2.5f), "-2.5");
  EXPECT_EQ(ShortestText(std::numeric_limits<float>::denorm_min()), "1e-45");
  EXPECT_EQ(ShortestText(FLT_MAX), "3.4028235e+38");
  EXPECT_EQ(ShortestText(DBL_MAX), "1.7976931348623157e+308");
  EXPECT_EQ(ShortestText(std::numeric_limits<double>::denorm_min()), "5e-324");
  // For random floats: dropping the last significant digit (rounded either way) never round-trips.
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    const float value = static_cast<float>(rng.Uniform() * 200.0 - 100.0);
    const std::string text = ShortestText(value);
    char shorter[64];
    // Significant digits of the mantissa: no sign, point, exponent or leading zeros.
    const std::string mantissa = text.substr(0, text.find('e'));
    std::string digits_only;
    for (char c : mantissa) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits_only += c;
    }
    const auto first = digits_only.find_first_not_of('0');
    if (first == std::string::npos) continue;
    digits_only = digits_only.substr(first);
    while (!digits_only.empty() && digits_only.back() == '0') digits_only.pop_back();
    const int digits = static_cast<int>(digits_only.size());
    for (int precision = 1; precision < digits; ++precision) {
      std::snprintf(shorter, sizeof(shorter), "%.*e", precision - 1, static_cast<double>(value));
      EXPECT_NE(std::strtof(shorter, nullptr), value) << text << " vs " << shorter;
    }
  }
}

TEST(CsvWriterTest, FloatFromShortestTextMatchesAParserAtFloatMidpoints) {
  auto parsed = [](double value) {
    const std::string text = ShortestText(value);
    float result = 0;
    const auto ec = std::from_chars(text.data(), text.data() + text.size(), result).ec;
    EXPECT_EQ(ec, std::errc()) << text;
    return std::bit_cast<std::uint32_t>(result);
  };
  // 1 + 2^-24 is the midpoint between 1 and the next float: the cast rounds to even (down), the
  // shortest decimal 1.0000000596046448 lies above the midpoint and reads as the float above.
  const double midpoint = 1.0 + std::ldexp(1.0, -24);
  EXPECT_EQ(static_cast<float>(midpoint), 1.0f);
  EXPECT_EQ(parsed(midpoint), std::bit_cast<std::uint32_t>(std::nextafter(1.0f, 2.0f)));
  // Midpoints and their neighbours at many magnitudes, and random doubles.
  Rng rng(21);
  for (int i = 0; i < 20000; ++i) {
    const float low = std::bit_cast<float>(static_cast<std::uint32_t>(rng.Below(0x7f000000)));
    const double mid =
        (static_cast<double>(low) + static_cast<double>(std::nextafter(low, INFINITY))) / 2.0;
    for (double value : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY), -mid,
                         std::ldexp(rng.Uniform() + 0.5, static_cast<int>(rng.Below(250)) - 125)}) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(FloatFromShortestText(value)), parsed(value))
          << ShortestText(value);
    }
  }
}

TEST(CsvWriterTest, IntegersIncludingExtremes) {
  char buffer[kMaxIntChars + 1];
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42},
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    const std::string text(buffer, FormatInteger(buffer, v));
    EXPECT_EQ(text, std::to_string(v));
  }
}

Dataset SmallDataset(std::size_t rows, std::uint64_t seed) {
  Dataset data({"a", "b", "c"}, rows, "label");
  Rng rng(seed);
  for (std::size_t f = 0; f < 3; ++f) {
    auto column = data.mutable_column(f);
    for (auto& v : column) {
      // Random bit patterns, finite only: the writer must handle any float.
      float value;
      do {
        value = std::bit_cast<float>(static_cast<std::uint32_t>(rng.Next()));
      } while (!std::isfinite(value));
      v = value;
    }
  }
  for (auto& label : data.mutable_labels()) label = static_cast<std::int32_t>(rng.Below(5)) - 2;
  return data;
}

// Parses CSV text written by FormatCsv back: header, then floats and an integer per line.
void ExpectCsvHolds(const std::string& text, const Dataset& data) {
  const std::size_t header_end = text.find('\n');
  ASSERT_EQ(text.substr(0, header_end), "a,b,c,label");
  const char* p = text.data() + header_end + 1;
  const char* end = text.data() + text.size();
  for (std::size_t r = 0; r < data.rows(); ++r) {
    for (std::size_t f = 0; f < 3; ++f) {
      float value = 0;
      auto parsed = std::from_chars(p, end, value);
      ASSERT_EQ(parsed.ec, std::errc()) << "row " << r;
      ASSERT_EQ(std::bit_cast<std::uint32_t>(value), std::bit_cast<std::uint32_t>(data.at(r, f)))
          << "row " << r << " feature " << f;
      ASSERT_EQ(*parsed.ptr, ',');
      p = parsed.ptr + 1;
    }
    std::int32_t label = 0;
    auto parsed = std::from_chars(p, end, label);
    ASSERT_EQ(parsed.ec, std::errc());
    ASSERT_EQ(label, data.labels()[r]);
    ASSERT_EQ(*parsed.ptr, '\n');
    p = parsed.ptr + 1;
  }
  EXPECT_EQ(p, end);
}

TEST(CsvWriterTest, FormatCsvReadsBackExactly) {
  const Dataset data = SmallDataset(2000, 5);
  ExpectCsvHolds(FormatCsv(data), data);
}

TEST(CsvWriterTest, ParallelWriteEqualsFormatCsvForAnyThreadCount) {
  // Enough rows for several blocks, and a partial last block.
  const Dataset data = SmallDataset(100003, 9);
  const std::string expected = FormatCsv(data);
  const auto dir =
      std::filesystem::temp_directory_path() / ("scaleml_csvwriter_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const std::string path = (dir / ("out" + std::to_string(threads) + ".csv")).string();
    const std::int64_t written = WriteCsv(data, path);
    const std::string text = ReadWholeFile(path);
    EXPECT_EQ(written, static_cast<std::int64_t>(text.size()));
    EXPECT_TRUE(text == expected) << "threads " << threads;
  }
  omp_set_num_threads(saved);
  // Nothing but the three files: no temporary left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 3);
  std::filesystem::remove_all(dir);
}

TEST(CsvWriterTest, EmptyDatasetIsJustTheHeader) {
  Dataset data({"x"}, 0);
  EXPECT_EQ(FormatCsv(data), "x,target\n");
}

}  // namespace
}  // namespace scaleml
