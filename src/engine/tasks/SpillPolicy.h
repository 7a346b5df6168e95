// Where a new object goes: the node's shared memory while it has room (under the node's limit
// and in what the shared-memory filesystem really has free), else the node's spill folder on
// disk (as Ray spills objects), else nowhere, with an error that says how many bytes were needed
// and where. Pure functions, so the policy is tested without filling a filesystem.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace scaleml::tasks {

enum class Placement { kSharedMemory, kSpill, kNoRoom };

// Bytes left free on a filesystem after an object is written there: other users of /dev/shm
// (and of the disk) must not be starved to the last page.
constexpr std::int64_t kFreeSpaceHeadroom = std::int64_t{1} << 20;

struct SpaceCheck {
  std::int64_t size = 0;         // bytes of the new object
  std::int64_t store_used = 0;   // bytes this node's store holds in shared memory (after eviction)
  std::int64_t store_limit = 0;  // the node's --object-store-memory
  std::int64_t shm_free = 0;     // free bytes of the shared-memory filesystem (statvfs)
  bool can_spill = false;        // the node has a spill folder
  std::int64_t spill_free = 0;   // free bytes of the spill folder's filesystem (statvfs)
};

Placement PlaceObject(const SpaceCheck& check);

// The error when PlaceObject says kNoRoom: the bytes needed and what each place had.
std::string NoRoomMessage(const SpaceCheck& check, const std::string& shm_dir,
                          const std::string& spill_dir);

// Free bytes for an unprivileged writer of the filesystem holding `path` (statvfs f_bavail); -1
// when it cannot be read.
std::int64_t FreeBytesAt(const std::string& path);

std::string Megabytes(std::int64_t bytes);

}  // namespace scaleml::tasks
