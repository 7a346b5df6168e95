#include "data/CsvWriter.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <exception>
#include <memory>

#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml {
namespace {

// Rows formatted per block when writing a Dataset: large enough to amortise the ordered write,
// small enough that every thread's buffer stays at about 4 MB however wide the rows.
constexpr std::size_t kMaxRowsPerBlock = 32768;
constexpr std::size_t kMaxBlockChars = std::size_t{4} << 20;

std::size_t MaxRowChars(std::size_t features) {
  return features * (kMaxFloatChars + 1) + kMaxIntChars + 2;
}

// Formats rows [begin, end) of `data`; returns the end of the text.
char* FormatRows(const Dataset& data, std::size_t begin, std::size_t end, char* out) {
  const std::size_t features = data.features();
  const auto labels = data.labels();
  for (std::size_t r = begin; r < end; ++r) {
    for (std::size_t f = 0; f < features; ++f) {
      out = FormatShortest(out, data.at(r, f));
      *out++ = ',';
    }
    out = FormatInteger(out, labels[r]);
    *out++ = '\n';
  }
  return out;
}

}  // namespace

char* FormatShortest(char* out, double value) {
  return std::to_chars(out, out + kMaxDoubleChars, value).ptr;
}

char* FormatShortest(char* out, float value) {
  return std::to_chars(out, out + kMaxFloatChars, value).ptr;
}

char* FormatInteger(char* out, std::int64_t value) {
  return std::to_chars(out, out + kMaxIntChars, value).ptr;
}

void AppendShortest(std::string& text, double value) {
  char buffer[kMaxDoubleChars];
  text.append(buffer, FormatShortest(buffer, value));
}

void AppendShortest(std::string& text, float value) {
  char buffer[kMaxFloatChars];
  text.append(buffer, FormatShortest(buffer, value));
}

std::string ShortestText(double value) {
  std::string text;
  AppendShortest(text, value);
  return text;
}

std::string ShortestText(float value) {
  std::string text;
  AppendShortest(text, value);
  return text;
}

float FloatFromShortestText(double value) {
  // Only doubles near a float midpoint (the 29 bits below float precision within one of
  // 100...0), or outside the normal float range, need the slow, exact path through the text.
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const std::uint64_t below_float = bits & ((std::uint64_t{1} << 29) - 1);
  const std::uint64_t halfway = std::uint64_t{1} << 28;
  const double magnitude = std::abs(value);
  const bool near_midpoint = below_float + 1 >= halfway && below_float <= halfway + 1;
  if (!near_midpoint && magnitude >= 0x1p-125 && magnitude < 0x1p127) {
    return static_cast<float>(value);
  }
  char text[kMaxDoubleChars];
  const char* end = FormatShortest(text, value);
  float result = 0.0f;
  if (std::from_chars(text, end, result).ec != std::errc()) return static_cast<float>(value);
  return result;
}

std::string CsvHeader(const std::vector<std::string>& feature_names, const std::string& target) {
  std::string header;
  for (const auto& name : feature_names) {
    header += name;
    header += ',';
  }
  header += target;
  header += '\n';
  return header;
}

std::string FormatCsv(const Dataset& data) {
  std::string text = CsvHeader(data.feature_names(), data.target_name());
  const std::size_t header_size = text.size();
  text.resize(header_size + data.rows() * MaxRowChars(data.features()));
  char* end = FormatRows(data, 0, data.rows(), text.data() + header_size);
  text.resize(static_cast<std::size_t>(end - text.data()));
  return text;
}

std::int64_t WriteCsv(const Dataset& data, const std::string& path) {
  AtomicFile file(path);
  const std::string header = CsvHeader(data.feature_names(), data.target_name());
  file.Write(header);
  std::int64_t written = static_cast<std::int64_t>(header.size());
  const std::size_t rows = data.rows();
  const std::size_t block_rows =
      std::clamp<std::size_t>(kMaxBlockChars / MaxRowChars(data.features()), 1, kMaxRowsPerBlock);
  const std::int64_t blocks = static_cast<std::int64_t>((rows + block_rows - 1) / block_rows);
  const std::size_t capacity = block_rows * MaxRowChars(data.features());
  std::exception_ptr error;
#pragma omp parallel
  {
    auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
#pragma omp for ordered schedule(dynamic, 1)
    for (std::int64_t block = 0; block < blocks; ++block) {
      const std::size_t begin = static_cast<std::size_t>(block) * block_rows;
      const std::size_t end = std::min(rows, begin + block_rows);
      const char* text_end = FormatRows(data, begin, end, buffer.get());
      const std::size_t size = static_cast<std::size_t>(text_end - buffer.get());
#pragma omp ordered
      {
        // An exception must not leave an OpenMP region: keep the first and rethrow after it.
        if (!error) {
          try {
            file.Write(buffer.get(), size);
            written += static_cast<std::int64_t>(size);
          } catch (...) {
            error = std::current_exception();
          }
        }
      }
    }
  }
  if (error) std::rethrow_exception(error);
  file.Commit();
  return written;
}

}  // namespace scaleml
