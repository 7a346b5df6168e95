#include "engine/tasks/SpillPolicy.h"

#include <sys/statvfs.h>

#include <cstdio>

#include "core/Error.h"

namespace scaleml::tasks {

Placement PlaceObject(const SpaceCheck& check) {
  const bool under_limit = check.store_used + check.size <= check.store_limit;
  const bool shm_has_room = check.size + kFreeSpaceHeadroom <= check.shm_free;
  if (under_limit && shm_has_room) return Placement::kSharedMemory;
  if (check.can_spill && check.size + kFreeSpaceHeadroom <= check.spill_free) {
    return Placement::kSpill;
  }
  return Placement::kNoRoom;
}

std::string NoRoomMessage(const SpaceCheck& check, const std::string& shm_dir,
                          const std::string& spill_dir) {
  std::string message =
      StrCat("object store: no room for an object of ", Megabytes(check.size), " (", check.size,
             " bytes): shared memory ", shm_dir, " has ", Megabytes(check.shm_free),
             " free and this node's store holds ", Megabytes(check.store_used), " of its ",
             Megabytes(check.store_limit), " limit (primary copies and objects in use)");
  if (check.can_spill) {
    message += StrCat("; the spill folder ", spill_dir, " has ", Megabytes(check.spill_free),
                      " free (", Megabytes(kFreeSpaceHeadroom), " is kept free)");
  } else {
    message += "; this store has no spill folder";
  }
  return message + " (free disk space, or raise --object-store-memory and /dev/shm)";
}

std::int64_t FreeBytesAt(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

std::string Megabytes(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace scaleml::tasks
