// A gzip or zstd file decompressed piece by piece: each Read fills a caller's buffer with the next
// decompressed bytes, so a reader holds a bounded window of the text instead of all of it.
// Concatenated gzip members (gzip a; gzip b; cat) and zstd frames read as one stream.
// Thread-safety: one thread per object.
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

class DecompressStream {
 public:
  // Maps `path` (input errors: missing, unreadable, empty, or a build without the library).
  DecompressStream(const std::string& path, Compression compression);
  ~DecompressStream();
  DecompressStream(const DecompressStream&) = delete;
  DecompressStream& operator=(const DecompressStream&) = delete;

  // Writes the next decompressed bytes to out[0, capacity) and returns how many: fewer than
  // `capacity` only at the end of the stream (then done()). A corrupt stream or one cut short is
  // an input error naming the file.
  std::size_t Read(char* out, std::size_t capacity);
  bool done() const { return done_; }
  // Compressed bytes consumed so far, for estimating the decompressed size.
  std::uint64_t consumed() const;
  const MappedFile& file() const { return *file_; }

  struct Decoder;  // gzip or zstd (DecompressStream.cc)

 private:
  std::unique_ptr<MappedFile> file_;
  std::unique_ptr<Decoder> decoder_;
  bool done_ = false;
  std::size_t released_ = 0;  // pages of the mapping before this are handed back
};

}  // namespace scaleml
