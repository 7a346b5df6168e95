// The bytes of a CSV file: a read-only mapping of FILE.csv, or the whole decompressed text of
// FILE.csv.gz / FILE.csv.zst (decompressed in chunks into one anonymous buffer, then parsed by
// the same parser as a mapping).
// Thread-safety: immutable after construction; any thread may read the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/MappedFile.h"

namespace scaleml {

enum class Compression : std::uint8_t { kNone, kGzip, kZstd };

// By the file name: .gz -> gzip, .zst -> zstd, anything else none.
Compression CompressionOf(const std::string& path);

class CsvText {
 public:
  // Maps or decompresses `path`; input errors name the file (missing, unreadable, corrupt or
  // cut short).
  explicit CsvText(const std::string& path);
  ~CsvText();
  CsvText(const CsvText&) = delete;
  CsvText& operator=(const CsvText&) = delete;

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // The file's own size and mtime (the compressed file's for .gz / .zst).
  std::uint64_t file_size() const { return file_size_; }
  std::int64_t mtime_ns() const { return mtime_ns_; }
  bool mapped() const { return file_ != nullptr; }
  void AdviseSequential() const;
  // Hands the mapping's pages inside [begin, end) back to the kernel; nothing for a buffer.
  void ReleasePages(std::size_t begin, std::size_t end) const;

 private:
  std::string path_;
  std::unique_ptr<MappedFile> file_;
  std::string buffer_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t file_size_ = 0;
  std::int64_t mtime_ns_ = 0;
};

// The decompressed bytes of a gzip or zstd file (an input error when it is corrupt or cut short,
// or when this build lacks the library).
std::string DecompressFile(const MappedFile& file, Compression compression);

}  // namespace scaleml
