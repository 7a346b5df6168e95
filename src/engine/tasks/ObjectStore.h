// A node's objects in shared memory: one file per object in /dev/shm named after the session,
// the node and the object, so several nodes (and sessions) share a machine without collisions
// and `scaleml stop` finds what to remove. A primary copy (put on this node) is never evicted;
// copies pulled from other nodes are, oldest first, when they are not mapped by anyone (an open
// mapping holds a shared flock) and room is needed under the node's limit.
//
// When shared memory is short (the node's limit, or what /dev/shm really has free: Docker gives
// 64 MB), a new object spills to the node's spill folder on disk, as Ray spills objects, and is
// mapped from there on access (the page cache serves it). Space is reserved (fallocate) before a
// byte is written, so a full /dev/shm is an error or a spill, never a SIGBUS; when both places
// are full the error names the bytes needed and what each place had (SpillPolicy.h).
// Thread-safety: the store keeps no mutable state of its own; processes coordinate through the
// files and their locks, so any number of processes may use one node's store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ObjectMapping.h"

namespace scaleml::tasks {

struct LocalObject {
  std::string object_id;
  std::int64_t size = 0;
  bool primary = false;
  bool spilled = false;  // on disk in the spill folder, not in shared memory
};

class ObjectStore {
 public:
  // `shm_dir` is normally /dev/shm; `prefix` names the session and node; `spill_dir` is where
  // objects go when shared memory is short (empty: nowhere, such an object is an error).
  ObjectStore(std::string shm_dir, std::string prefix, std::int64_t limit_bytes,
              std::string spill_dir = "");

  static std::string PrefixFor(const std::string& session, const std::string& node_id);
  // The spill folder of the nodes whose home (SCALEML_HOME) is `home`.
  static std::string SpillDirIn(const std::string& home);

  // A writable object of `size` bytes under a temporary name, its space reserved; Seal() it to
  // publish it. Evicts unused copies to make room in shared memory (their ids land in
  // `evicted`), spills to disk when shared memory is still short; a Failure when neither fits.
  std::unique_ptr<ObjectMapping> Create(const std::string& object_id, std::int64_t size,
                                        bool primary, std::vector<std::string>* evicted);
  // The object mapped read-only and locked against eviction; nullptr when this node lacks it.
  std::unique_ptr<ObjectMapping> Open(const std::string& object_id) const;
  bool Contains(const std::string& object_id) const;
  std::vector<LocalObject> List() const;
  // Bytes in shared memory (what the limit bounds).
  std::int64_t Used() const;
  // Bytes (objects being written included) and sealed objects in each place.
  StoreUse Usage() const;
  bool Remove(const std::string& object_id);
  // Every object of this node, spilled ones included (shutdown).
  int RemoveAll();
  std::int64_t limit() const { return limit_; }
  const std::string& spill_dir() const { return spill_dir_; }

 private:
  std::string PathOf(const std::string& dir, const std::string& object_id, bool primary) const;
  std::vector<std::string> Dirs() const;
  std::int64_t EvictFor(std::int64_t needed, std::vector<std::string>* evicted);
  // The temporary file of a new object in `dir`, its bytes reserved; -1 (nothing left behind)
  // when the filesystem has no room for them.
  int CreateReserved(const std::string& temp, std::int64_t size) const;

  std::string shm_dir_;
  std::string prefix_;
  std::int64_t limit_;
  std::string spill_dir_;
};

// Objects ids are hex; anything else is refused before it becomes a path.
void CheckObjectId(const std::string& object_id);

}  // namespace scaleml::tasks
