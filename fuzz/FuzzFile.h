// Helpers shared by the fuzz targets: the parsers under test read files by path, so each input
// is written to one scratch file per process (in $TMPDIR or /tmp) and the path handed over.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace scaleml::fuzz {

// The scratch file's path; `suffix` lets a target choose the extension the parser expects.
inline std::string ScratchPath(const char* suffix) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/scaleml_fuzz_" +
         std::to_string(getpid()) + suffix;
}

// Replaces the scratch file's contents with `data`; aborts when it cannot (not a finding).
inline const std::string& WriteScratch(const std::uint8_t* data, std::size_t size,
                                       const char* suffix) {
  static const std::string path = ScratchPath(suffix);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || (size > 0 && std::fwrite(data, 1, size, file) != size) ||
      std::fclose(file) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

// Reads the input front to back: small choices (options, counts) then the rest as bytes.
class InputBytes {
 public:
  InputBytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t Byte() { return size_ > 0 ? (--size_, *data_++) : 0; }
  std::uint64_t U64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(Byte()) << (8 * i);
    return value;
  }
  const std::uint8_t* rest() const { return data_; }
  std::size_t rest_size() const { return size_; }
  std::string RestText() const { return std::string(reinterpret_cast<const char*>(data_), size_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

}  // namespace scaleml::fuzz
