#include "engine/tasks/ObjectStore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/Error.h"
#include "engine/tasks/SpillPolicy.h"

namespace scaleml::tasks {
namespace {

constexpr const char* kPrimarySuffix = ".p";
constexpr const char* kCopySuffix = ".c";

}  // namespace

void CheckObjectId(const std::string& object_id) {
  const bool ok = !object_id.empty() && object_id.size() <= 64 &&
                  std::all_of(object_id.begin(), object_id.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                  });
  if (!ok) throw InputError("object id '", object_id, "' is not a hex id");
}

ObjectStore::ObjectStore(std::string shm_dir, std::string prefix, std::int64_t limit_bytes,
                         std::string spill_dir)
    : shm_dir_(std::move(shm_dir)),
      prefix_(std::move(prefix)),
      limit_(limit_bytes),
      spill_dir_(std::move(spill_dir)) {}

std::string ObjectStore::PrefixFor(const std::string& session, const std::string& node_id) {
  return "scaleml_" + session + "_" + node_id + "_";
}

std::string ObjectStore::SpillDirIn(const std::string& home) { return home + "/spill"; }

std::string ObjectStore::PathOf(const std::string& dir, const std::string& object_id,
                                bool primary) const {
  return dir + "/" + prefix_ + object_id + (primary ? kPrimarySuffix : kCopySuffix);
}

std::vector<std::string> ObjectStore::Dirs() const {
  std::vector<std::string> dirs = {shm_dir_};
  if (!spill_dir_.empty()) dirs.push_back(spill_dir_);
  return dirs;
}

std::vector<LocalObject> ObjectStore::List() const {
  std::vector<LocalObject> objects;
  for (const std::string& dir : Dirs()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix_, 0) != 0 || name.size() < prefix_.size() + 3) continue;
      const std::string suffix = name.substr(name.size() - 2);
      if (suffix != kPrimarySuffix && suffix != kCopySuffix) continue;  // temporaries
      LocalObject object;
      object.object_id = name.substr(prefix_.size(), name.size() - prefix_.size() - 2);
      object.primary = suffix == kPrimarySuffix;
      object.spilled = dir != shm_dir_;
      object.size = static_cast<std::int64_t>(entry.file_size(ec));
      objects.push_back(object);
    }
  }
  return objects;
}

StoreUse ObjectStore::Usage() const {
  // Temporaries (objects being written) count as bytes: they hold memory or disk.
  StoreUse usage;
  for (const std::string& dir : Dirs()) {
    const bool spill = dir != shm_dir_;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix_, 0) != 0) continue;
      const auto bytes = static_cast<std::int64_t>(entry.file_size(ec));
      const bool sealed =
          name.size() > 2 && (name.compare(name.size() - 2, 2, kPrimarySuffix) == 0 ||
                              name.compare(name.size() - 2, 2, kCopySuffix) == 0);
      (spill ? usage.spilled_bytes : usage.shm_bytes) += ec ? 0 : bytes;
      if (sealed) ++(spill ? usage.spilled_objects : usage.shm_objects);
    }
  }
  return usage;
}

std::int64_t ObjectStore::Used() const {
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
    if (object.primary || object.spilled) continue;
    struct stat st {};
    if (stat(PathOf(shm_dir_, object.object_id, false).c_str(), &st) != 0) continue;
    copies.emplace_back(static_cast<std::int64_t>(st.st_mtime), object);
  }
  std::sort(copies.begin(), copies.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::int64_t freed = 0;
  for (const auto& [mtime, object] : copies) {
    if (freed >= needed) break;
    const std::string path = PathOf(shm_dir_, object.object_id, false);
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

int ObjectStore::CreateReserved(const std::string& temp, std::int64_t size) const {
  const int fd = open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Failure("object store: cannot create ", temp);
  // ftruncate alone makes a sparse file: on a full tmpfs the first write to a missing page is a
  // SIGBUS. fallocate takes every page now, or fails with ENOSPC and we go elsewhere.
  const int reserved = size > 0 ? posix_fallocate(fd, 0, size) : ftruncate(fd, 0);
  if (reserved != 0) {
    close(fd);
    unlink(temp.c_str());
    return -1;
  }
  return fd;
}

std::unique_ptr<ObjectMapping> ObjectStore::Create(const std::string& object_id, std::int64_t size,
                                                   bool primary,
                                                   std::vector<std::string>* evicted) {
  CheckObjectId(object_id);
  if (size > limit_ && spill_dir_.empty()) {
    throw InputError("object store: an object of ", Megabytes(size), " cannot fit in this node's ",
                     Megabytes(limit_), " (raise --object-store-memory)");
  }
  SpaceCheck check;
  check.size = size;
  check.store_limit = limit_;
  check.store_used = Used();
  check.shm_free = FreeBytesAt(shm_dir_);
  // Unused copies make room first: they can be pulled again, a spilled object costs disk reads.
  const std::int64_t needed =
      std::max(check.store_used + size - limit_, size + kFreeSpaceHeadroom - check.shm_free);
  if (needed > 0 && size <= limit_) {
    check.store_used -= EvictFor(needed, evicted);
    check.shm_free = FreeBytesAt(shm_dir_);
  }
  check.can_spill = !spill_dir_.empty();
  if (check.can_spill) {
    std::error_code ec;
    std::filesystem::create_directories(spill_dir_, ec);
    chmod(spill_dir_.c_str(), 0700);
    check.spill_free = FreeBytesAt(spill_dir_);
  }
  Placement placement = PlaceObject(check);
  const std::string temp_name = prefix_ + object_id + (primary ? kPrimarySuffix : kCopySuffix) +
                                ".tmp" + std::to_string(getpid());
  while (placement != Placement::kNoRoom) {
    const bool spill = placement == Placement::kSpill;
    const std::string dir = spill ? spill_dir_ : shm_dir_;
    const std::string temp = dir + "/" + temp_name;
    const int fd = CreateReserved(temp, size);
    if (fd < 0) {  // another writer took the space between the check and now
      placement = !spill && check.can_spill ? Placement::kSpill : Placement::kNoRoom;
      if (spill) check.spill_free = FreeBytesAt(spill_dir_);
      continue;
    }
    flock(fd, LOCK_SH);
    try {
      auto mapping =
          std::make_unique<ObjectMapping>(fd, static_cast<std::size_t>(size), true, temp);
      mapping->set_final_path(PathOf(dir, object_id, primary));
      return mapping;
    } catch (...) {
      unlink(temp.c_str());
      throw;
    }
  }
  check.shm_free = FreeBytesAt(shm_dir_);
  throw Failure(NoRoomMessage(check, shm_dir_, spill_dir_));
}

std::unique_ptr<ObjectMapping> ObjectStore::Open(const std::string& object_id) const {
  CheckObjectId(object_id);
  for (const std::string& dir : Dirs()) {
    for (bool primary : {true, false}) {
      const std::string path = PathOf(dir, object_id, primary);
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
  }
  return nullptr;
}

bool ObjectStore::Contains(const std::string& object_id) const {
  for (const std::string& dir : Dirs()) {
    if (access(PathOf(dir, object_id, true).c_str(), F_OK) == 0 ||
        access(PathOf(dir, object_id, false).c_str(), F_OK) == 0) {
      return true;
    }
  }
  return false;
}

bool ObjectStore::Remove(const std::string& object_id) {
  bool removed = false;
  for (const std::string& dir : Dirs()) {
    for (bool primary : {true, false}) {
      removed = unlink(PathOf(dir, object_id, primary).c_str()) == 0 || removed;
    }
  }
  return removed;
}

int ObjectStore::RemoveAll() {
  // The prefix may come from a node file: one that is not a store's (empty, say) would match
  // every file of /dev/shm and of the spill folder.
  if (prefix_.rfind("scaleml_", 0) != 0 || prefix_.size() <= 8) return 0;
  int removed = 0;
  for (const std::string& dir : Dirs()) {
    std::error_code ec;
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().filename().string().rfind(prefix_, 0) == 0) paths.push_back(entry.path());
    }
    for (const auto& path : paths) removed += std::filesystem::remove(path, ec) ? 1 : 0;
  }
  return removed;
}

}  // namespace scaleml::tasks
