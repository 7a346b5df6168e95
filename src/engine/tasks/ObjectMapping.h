// One object of a node's store mapped into this process. While it lives it holds a shared lock
// on the object, so eviction leaves it alone; it is also what keeps a zero-copy Dataset view's
// memory alive.
// Thread-safety: immutable after construction; any thread may read the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "data/Dataset.h"

namespace scaleml::tasks {

class ObjectMapping : public DatasetStorage {
 public:
  // Takes ownership of `fd` (locked by the caller) and maps `size` bytes of it.
  ObjectMapping(int fd, std::size_t size, bool writable, std::string path);
  ~ObjectMapping() override;
  ObjectMapping(const ObjectMapping&) = delete;
  ObjectMapping& operator=(const ObjectMapping&) = delete;

  const char* data() const { return data_; }
  char* mutable_data() { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Renames a freshly written object to its final name, so readers never see it half-written.
  void Seal(const std::string& final_path);
  // The same, to the name its store chose when it created the object (shared memory or spill).
  void Seal() { Seal(final_path_); }
  void set_final_path(std::string path) { final_path_ = std::move(path); }

 private:
  int fd_ = -1;
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::string path_;
  std::string final_path_;
};

}  // namespace scaleml::tasks
