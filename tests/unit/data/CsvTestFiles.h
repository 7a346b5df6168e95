// Helpers for the CSV reader's tests: a temporary folder that removes itself, writing files, and
// CSV text made from random values with snprintf("%.9g") (nine significant digits read back to
// the identical float32, so the expected values are exact without using our own writer).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/Hash.h"

namespace scaleml::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "scaleml-csv-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A table with its CSV text: feature values stored row-major, as expected after reading.
struct CsvTable {
  std::vector<std::string> feature_names;
  std::vector<float> values;  // row r, feature f at r * features + f
  std::vector<std::int32_t> labels;
  std::string text;
  std::size_t rows() const { return labels.size(); }
  std::size_t features() const { return feature_names.size(); }
};

// Random values over many magnitudes (and some exact integers), labels in [0, classes).
// The target is written as column `target_position` of the header.
inline CsvTable MakeCsvTable(std::size_t rows, std::size_t features, int classes,
                             std::uint64_t seed, std::size_t target_position = ~std::size_t{0},
                             const std::string& newline = "\n", bool final_newline = true) {
  CsvTable table;
  Rng rng(seed);
  target_position = std::min(target_position, features);
  for (std::size_t f = 0; f < features; ++f)
    table.feature_names.push_back(std::string("f").append(std::to_string(f)));
  std::vector<std::string> header = table.feature_names;
  header.insert(header.begin() + static_cast<std::ptrdiff_t>(target_position), "target");
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c) table.text += ',';
    table.text += header[c];
  }
  table.text += newline;
  char buffer[64];
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<float> row(features);
    for (auto& v : row) {
      const double kind = rng.Uniform();
      if (kind < 0.1) {
        v = static_cast<float>(static_cast<int>(rng.Below(2001)) - 1000);
      } else {
        const double exponent = rng.Uniform() * 24.0 - 12.0;
        v = static_cast<float>((rng.Uniform() * 2.0 - 1.0) * std::pow(10.0, exponent));
      }
    }
    const auto label = static_cast<std::int32_t>(rng.Below(classes));
    std::string line;
    for (std::size_t c = 0, f = 0; c <= features; ++c) {
      if (c) line += ',';
      if (c == target_position) {
        line += std::to_string(label);
      } else {
        std::snprintf(buffer, sizeof(buffer), "%.9g", static_cast<double>(row[f++]));
        line += buffer;
      }
    }
    table.text += line;
    if (r + 1 < rows || final_newline) table.text += newline;
    table.values.insert(table.values.end(), row.begin(), row.end());
    table.labels.push_back(label);
  }
  return table;
}

inline std::uint32_t Bits(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

}  // namespace scaleml::testing
