#include "data/DatasetMeta.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/AtomicFile.h"
#include "core/Error.h"

// Header-only use of xxHash: no library to link, and the hash inlines into the write loop.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace scaleml {

std::string MetaPath(const std::string& csv_path) { return csv_path + ".meta"; }
std::string JsonPath(const std::string& csv_path) { return csv_path + ".json"; }

namespace {
double SizeInMib(std::int64_t bytes) {
  return std::round(static_cast<double>(bytes) / 1048576.0 * 100.0) / 100.0;
}
}  // namespace

std::string FormatPaperMeta(std::int64_t rows, std::int64_t features, std::int64_t bytes) {
  char size[64];
  std::snprintf(size, sizeof(size), "%.2f", SizeInMib(bytes));
  return StrCat("num_samples,", rows, "\nnum_features,", features, "\ndataset_size_mb,", size,
                "\n");
}

PaperMeta ReadPaperMeta(const std::string& meta_path) {
  std::ifstream in(meta_path);
  if (!in) throw InputError(meta_path, ": cannot open file");
  PaperMeta meta;
  bool seen[3] = {false, false, false};
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) {
      throw InputError(meta_path, ":", line_number, ": expected `key,value`, got `", line, "`");
    }
    const std::string key = line.substr(0, comma);
    const std::string value = line.substr(comma + 1);
    try {
      std::size_t used = 0;
      if (key == "num_samples") {
        meta.num_samples = std::stoll(value, &used);
        seen[0] = true;
      } else if (key == "num_features") {
        meta.num_features = std::stoll(value, &used);
        seen[1] = true;
      } else if (key == "dataset_size_mb") {
        meta.dataset_size_mb = std::stod(value, &used);
        seen[2] = true;
      } else {
        continue;  // unknown keys are tolerated: later versions may add some
      }
      if (used != value.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::logic_error&) {
      throw InputError(meta_path, ":", line_number, ": `", key, "` has a bad value `", value, "`");
    }
  }
  const char* names[3] = {"num_samples", "num_features", "dataset_size_mb"};
  for (int i = 0; i < 3; ++i) {
    if (!seen[i]) throw InputError(meta_path, ": missing `", names[i], "` line");
  }
  return meta;
}

struct Checksum::State {
  XXH3_state_t xxh;
};

Checksum::Checksum() : state_(std::make_unique<State>()) { XXH3_64bits_reset(&state_->xxh); }
Checksum::~Checksum() = default;

void Checksum::Update(const void* data, std::size_t size) {
  XXH3_64bits_update(&state_->xxh, data, size);
}

std::uint64_t Checksum::Digest() const { return XXH3_64bits_digest(&state_->xxh); }

std::uint64_t ChecksumOf(const void* data, std::size_t size) { return XXH3_64bits(data, size); }

std::string ChecksumText(std::uint64_t checksum) {
  char text[32];
  std::snprintf(text, sizeof(text), "xxh3_64:%016" PRIx64, checksum);
  return text;
}

void WriteDatasetMeta(const std::string& csv_path, std::int64_t rows, std::int64_t features,
                      std::int64_t bytes, std::uint64_t checksum, nlohmann::json description) {
  description["rows"] = rows;
  description["features"] = features;
  description["bytes"] = bytes;
  description["dataset_size_mb"] = SizeInMib(bytes);
  description["checksum"] = ChecksumText(checksum);
  WriteFileAtomically(JsonPath(csv_path), description.dump(2) + "\n");
  WriteFileAtomically(MetaPath(csv_path), FormatPaperMeta(rows, features, bytes));
}

}  // namespace scaleml
