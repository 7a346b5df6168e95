#include "engine/tasks/ObjectMapping.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>

#include "core/Error.h"

namespace scaleml::tasks {

ObjectMapping::ObjectMapping(int fd, std::size_t size, bool writable, std::string path)
    : fd_(fd), size_(size), path_(std::move(path)) {
  if (size_ == 0) return;
  // A new object is written whole: fault its pages in at once rather than one by one.
  const int flags = MAP_SHARED | (writable ? MAP_POPULATE : 0);
  void* p = mmap(nullptr, size_, writable ? PROT_READ | PROT_WRITE : PROT_READ, flags, fd_, 0);
  if (p == MAP_FAILED) {
    close(fd_);
    fd_ = -1;
    throw Failure("object store: cannot map ", path_, " (", size_, " bytes)");
  }
  data_ = static_cast<char*>(p);
}

ObjectMapping::~ObjectMapping() {
  if (data_ != nullptr) munmap(data_, size_);
  if (fd_ >= 0) close(fd_);  // releases the lock
}

void ObjectMapping::Seal(const std::string& final_path) {
  if (std::rename(path_.c_str(), final_path.c_str()) != 0) {
    throw Failure("object store: cannot publish ", final_path);
  }
  path_ = final_path;
}

}  // namespace scaleml::tasks
