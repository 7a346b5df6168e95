#include "core/MappedFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/Error.h"

namespace scaleml {

MappedFile::MappedFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw InputError(path, ": cannot open file: ", std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw InputError(path, ": cannot stat file: ", std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw InputError(path, ": is a directory, expected a file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  mtime_ns_ = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  if (size_ > 0) {
    void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Failure(path, ": cannot map file: ", std::strerror(err));
    }
    data_ = static_cast<const char*>(mapped);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::AdviseSequential() const {
  if (data_ == nullptr) return;
  ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL);
  ::madvise(const_cast<char*>(data_), size_, MADV_WILLNEED);
}

void MappedFile::Populate() const {
  if (data_ == nullptr) return;
#ifdef MADV_POPULATE_READ
  if (::madvise(const_cast<char*>(data_), size_, MADV_POPULATE_READ) == 0) return;
#endif
  // Older kernels: touch one byte per page.
  const long page = ::sysconf(_SC_PAGESIZE);
  volatile char sink = 0;
  for (std::size_t at = 0; at < size_; at += static_cast<std::size_t>(page))
    sink = sink + data_[at];
}

}  // namespace scaleml
