#include "core/AtomicFile.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/Error.h"

namespace scaleml {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_path_ = StrCat(path_, ".tmp.", ::getpid());
  // Registered before it exists: a signal between the two finds nothing to remove, not a leak.
  registration_ = TemporaryFileRegistration(temp_path_);
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw InputError(path_, ": cannot create file: ", std::strerror(errno),
                     " (check that the folder exists and is writable)");
  }
  // A large buffer: the generator and the cache write hundreds of megabytes.
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(temp_path_.c_str());
  registration_.Release();
}

void AtomicFile::Write(const void* data, std::size_t size) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_) != size) {
    throw Failure(path_, ": write failed: ", std::strerror(errno));
  }
}

void AtomicFile::Commit() {
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    throw Failure(path_, ": write failed: ", std::strerror(errno));
  }
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw Failure(path_, ": cannot rename from ", temp_path_, ": ", std::strerror(errno));
  }
  committed_ = true;
  registration_.Release();
}

void WriteFileAtomically(const std::string& path, std::string_view text) {
  AtomicFile file(path);
  file.Write(text);
  file.Commit();
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, ": cannot open file: ", std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace scaleml
