// The files written beside a generated CSV: `FILE.csv.meta` in the paper's format (lines
// `num_samples,N`, `num_features,F`, `dataset_size_mb,S` with S in MiB) and `FILE.csv.json` with
// the full description (parameters, seed, rows, bytes, XXH3-64 checksum of the CSV bytes).
// Thread-safety: free functions are reentrant; a Checksum is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace scaleml {

std::string MetaPath(const std::string& csv_path);  // FILE.csv.meta
std::string JsonPath(const std::string& csv_path);  // FILE.csv.json

// The paper's .meta content.
struct PaperMeta {
  std::int64_t num_samples = 0;
  std::int64_t num_features = 0;
  double dataset_size_mb = 0.0;  // bytes / 2^20, two decimals
};
std::string FormatPaperMeta(std::int64_t rows, std::int64_t features, std::int64_t bytes);
// Parses a .meta file; an input error naming the file and line when it is malformed.
PaperMeta ReadPaperMeta(const std::string& meta_path);

// XXH3 64-bit hash of a byte stream fed in pieces (the same value as hashing it whole).
class Checksum {
 public:
  Checksum();
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void Update(const void* data, std::size_t size);
  std::uint64_t Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot XXH3-64 of a buffer.
std::uint64_t ChecksumOf(const void* data, std::size_t size);
// "xxh3_64:0123456789abcdef": the form stored in the .json.
std::string ChecksumText(std::uint64_t checksum);

// Writes FILE.csv.meta and FILE.csv.json, each atomically. `description` gets the keys rows,
// features, bytes, dataset_size_mb and checksum added.
void WriteDatasetMeta(const std::string& csv_path, std::int64_t rows, std::int64_t features,
                      std::int64_t bytes, std::uint64_t checksum, nlohmann::json description);

}  // namespace scaleml
