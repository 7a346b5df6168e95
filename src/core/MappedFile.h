// A read-only memory mapping of a whole file. Thread-safety: immutable after construction; any
// thread may read the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace scaleml {

class MappedFile {
 public:
  // Maps the file; an input error naming the path if it is missing or unreadable.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Modification time in nanoseconds since the epoch, taken when mapped.
  std::int64_t mtime_ns() const { return mtime_ns_; }
  // Hints the kernel to read ahead: the caller will scan the whole file.
  void AdviseSequential() const;
  // Maps every page in now, so that the cost of reading the file is paid (and measured) here
  // rather than on first touch later.
  void Populate() const;

 private:
  std::string path_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::int64_t mtime_ns_ = 0;
};

}  // namespace scaleml
