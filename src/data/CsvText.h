// The bytes of a CSV file: a read-only mapping of FILE.csv, or a view over a window of the
// decompressed text of FILE.csv.gz / FILE.csv.zst (data/CsvWindows.h), parsed by the same parser.
// Thread-safety: immutable after construction; any thread may read the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/MappedFile.h"
#include "data/DecompressStream.h"

namespace scaleml {

class CsvText {
 public:
  // Maps `path` (not a compressed file: those are read through CsvWindows); input errors name
  // the file (missing, unreadable).
  explicit CsvText(const std::string& path);
  // A view over `size` bytes owned elsewhere (a window of a decompressed file), read as the text
  // of `path`.
  CsvText(const std::string& path, const char* data, std::size_t size);
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
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t file_size_ = 0;
  std::int64_t mtime_ns_ = 0;
};

}  // namespace scaleml
