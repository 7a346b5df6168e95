// Writes a file under a temporary name in the same folder and renames it over the target only
// when Commit() is called, so an interrupted write never leaves a file that looks complete. The
// temporary is removed on failure (destructor) and when SIGINT, SIGTERM or SIGHUP ends the
// process (core/TemporaryFiles.h).
// Thread-safety: one writer per AtomicFile.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/TemporaryFiles.h"

namespace scaleml {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void Write(const void* data, std::size_t size);
  void Write(std::string_view text) { Write(text.data(), text.size()); }
  // Flushes, fsyncs and renames over the target path.
  void Commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  TemporaryFileRegistration registration_;
};

// Writes the whole text atomically.
void WriteFileAtomically(const std::string& path, std::string_view text);

// Reads a whole file; an input error naming the path when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace scaleml
