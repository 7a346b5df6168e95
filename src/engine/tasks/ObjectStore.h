// A node's objects in shared memory: one file per object in /dev/shm named after the session,
// the node and the object, so several nodes (and sessions) share a machine without collisions
// and `scaleml stop` finds what to remove. A primary copy (put on this node) is never evicted;
// copies pulled from other nodes are, oldest first, when they are not mapped by anyone (an open
// mapping holds a shared flock) and room is needed under the node's limit.
// Thread-safety: the store keeps no mutable state of its own; processes coordinate through the
// files and their locks, so any number of processes may use one node's store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tasks/ObjectMapping.h"

namespace scaleml::tasks {

struct LocalObject {
  std::string object_id;
  std::int64_t size = 0;
  bool primary = false;
};

class ObjectStore {
 public:
  // `shm_dir` is normally /dev/shm; `prefix` names the session and node.
  ObjectStore(std::string shm_dir, std::string prefix, std::int64_t limit_bytes);

  static std::string PrefixFor(const std::string& session, const std::string& node_id);

  // A writable object of `size` bytes under a temporary name; Seal it with SealPath(). Evicts
  // unused copies to make room (their ids land in `evicted`); a Failure when it cannot fit.
  std::unique_ptr<ObjectMapping> Create(const std::string& object_id, std::int64_t size,
                                        bool primary, std::vector<std::string>* evicted);
  std::string SealPath(const std::string& object_id, bool primary) const;
  // The object mapped read-only and locked against eviction; nullptr when this node lacks it.
  std::unique_ptr<ObjectMapping> Open(const std::string& object_id) const;
  bool Contains(const std::string& object_id) const;
  std::vector<LocalObject> List() const;
  std::int64_t Used() const;
  bool Remove(const std::string& object_id);
  // Every object of this node (shutdown).
  int RemoveAll();
  std::int64_t limit() const { return limit_; }

 private:
  std::string PathOf(const std::string& object_id, bool primary) const;
  std::int64_t EvictFor(std::int64_t needed, std::vector<std::string>* evicted);

  std::string shm_dir_;
  std::string prefix_;
  std::int64_t limit_;
};

// Objects ids are hex; anything else is refused before it becomes a path.
void CheckObjectId(const std::string& object_id);

}  // namespace scaleml::tasks
