#include "engine/tasks/ObjectStore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

constexpr const char* kPrimarySuffix = ".p";
constexpr const char* kCopySuffix = ".c";

std::string Megabytes(std::int64_t bytes) {
  return StrCat(static_cast<double>(bytes) / 1e6, " MB");
}

}  // namespace

void CheckObjectId(const std::string& object_id) {
  const bool ok = !object_id.empty() && object_id.size() <= 64 &&
                  std::all_of(object_id.begin(), object_id.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                  });
  if (!ok) throw InputError("object id '", object_id, "' is not a hex id");
}

ObjectStore::ObjectStore(std::string shm_dir, std::string prefix, std::int64_t limit_bytes)
    : shm_dir_(std::move(shm_dir)), prefix_(std::move(prefix)), limit_(limit_bytes) {}

std::string ObjectStore::PrefixFor(const std::string& session, const std::string& node_id) {
  return "scaleml_" + session + "_" + node_id + "_";
}

std::string ObjectStore::PathOf(const std::string& object_id, bool primary) const {
  return shm_dir_ + "/" + prefix_ + object_id + (primary ? kPrimarySuffix : kCopySuffix);
}

std::string ObjectStore::SealPath(const std::string& object_id, bool primary) const {
  return PathOf(object_id, primary);
}

std::vector<LocalObject> ObjectStore::List() const {
  std::vector<LocalObject> objects;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(shm_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix_, 0) != 0 || name.size() < prefix_.size() + 3) continue;
    const std::string suffix = name.substr(name.size() - 2);
    if (suffix != kPrimarySuffix && suffix != kCopySuffix) continue;  // temporaries
    LocalObject object;
    object.object_id = name.substr(prefix_.size(), name.size() - prefix_.size() - 2);
    object.primary = suffix == kPrimarySuffix;
    object.size = static_cast<std::int64_t>(entry.file_size(ec));
    objects.push_back(object);
  }
  return objects;
}

std::int64_t ObjectStore::Used() const {
  // Temporaries (objects being written) count too: they hold memory.
  std::int64_t used = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(shm_dir_, ec)) {
    if (entry.path().filename().string().rfind(prefix_, 0) == 0) {
      used += static_cast<std::int64_t>(entry.file_size(ec));
    }
  }
  return used;
}

std::int64_t ObjectStore::EvictFor(std::int64_t needed, std::vector<std::string>* evicted) {
  std::vector<std::pair<std::int64_t, LocalObject>> copies;  // (mtime, object)
  for (const auto& object : List()) {
    if (object.primary) continue;
    struct stat st {};
    if (stat(PathOf(object.object_id, false).c_str(), &st) != 0) continue;
    copies.emplace_back(static_cast<std::int64_t>(st.st_mtime), object);
  }
  std::sort(copies.begin(), copies.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::int64_t freed = 0;
  for (const auto& [mtime, object] : copies) {
    if (freed >= needed) break;
    const std::string path = PathOf(object.object_id, false);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    // Nobody maps it when nobody holds the shared lock.
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && unlink(path.c_str()) == 0) {
      freed += object.size;
      if (evicted != nullptr) evicted->push_back(object.object_id);
    }
    close(fd);
  }
  return freed;
}

std::unique_ptr<ObjectMapping> ObjectStore::Create(const std::string& object_id, std::int64_t size,
                                                   bool primary,
                                                   std::vector<std::string>* evicted) {
  CheckObjectId(object_id);
  if (size > limit_) {
    throw InputError("object store: an object of ", Megabytes(size), " cannot fit in this node's ",
                     Megabytes(limit_), " (raise --object-store-memory)");
  }
  const std::int64_t used = Used();
  if (used + size > limit_) {
    const std::int64_t freed = EvictFor(used + size - limit_, evicted);
    if (used - freed + size > limit_) {
      throw Failure("object store: no room for an object of ", Megabytes(size), ": ",
                    Megabytes(used - freed), " of ", Megabytes(limit_),
                    " hold primary copies or objects in use (raise --object-store-memory)");
    }
  }
  const std::string temp = PathOf(object_id, primary) + ".tmp" + std::to_string(getpid());
  const int fd = open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Failure("object store: cannot create ", temp);
  if (ftruncate(fd, size) != 0) {
    close(fd);
    unlink(temp.c_str());
    throw Failure("object store: cannot size ", temp, " to ", size, " bytes");
  }
  flock(fd, LOCK_SH);
  try {
    return std::make_unique<ObjectMapping>(fd, static_cast<std::size_t>(size), true, temp);
  } catch (...) {
    unlink(temp.c_str());
    throw;
  }
}

std::unique_ptr<ObjectMapping> ObjectStore::Open(const std::string& object_id) const {
  CheckObjectId(object_id);
  for (bool primary : {true, false}) {
    const std::string path = PathOf(object_id, primary);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    flock(fd, LOCK_SH);
    struct stat st {};
    // The file may have been evicted between open and lock: then it has no links.
    if (fstat(fd, &st) != 0 || st.st_nlink == 0) {
      close(fd);
      continue;
    }
    if (!primary) futimens(fd, nullptr);  // recently used copies are evicted last
    return std::make_unique<ObjectMapping>(fd, static_cast<std::size_t>(st.st_size), false, path);
  }
  return nullptr;
}

bool ObjectStore::Contains(const std::string& object_id) const {
  return access(PathOf(object_id, true).c_str(), F_OK) == 0 ||
         access(PathOf(object_id, false).c_str(), F_OK) == 0;
}

bool ObjectStore::Remove(const std::string& object_id) {
  const bool a = unlink(PathOf(object_id, true).c_str()) == 0;
  const bool b = unlink(PathOf(object_id, false).c_str()) == 0;
  return a || b;
}

int ObjectStore::RemoveAll() {
  int removed = 0;
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(shm_dir_, ec)) {
    if (entry.path().filename().string().rfind(prefix_, 0) == 0) paths.push_back(entry.path());
  }
  for (const auto& path : paths) removed += std::filesystem::remove(path, ec) ? 1 : 0;
  return removed;
}

}  // namespace scaleml::tasks
