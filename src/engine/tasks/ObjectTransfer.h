// Moves objects between nodes over TCP. Each node agent runs a server (in its own process, so a
// large transfer never stalls the agent's scheduling) that streams an object in chunks straight
// from its shared-memory mapping to a peer that presents the cluster token; the puller writes the
// bytes into its own store as a copy, checks the XXH3-64 checksum recorded at put time, and only
// then publishes the copy.
// Thread-safety: ObjectServer serves each connection on its own thread; Pull is reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ObjectStore.h"

namespace scaleml::tasks {

// The protocol's two lines, parsed by pure functions (fuzzed by fuzz/object_transfer.cc).
// The request: "SMOBJ1 TOKEN OBJECT_ID"; nullopt for anything else.
struct ObjectRequest {
  std::string token;
  std::string object_id;
};
std::optional<ObjectRequest> ParseObjectRequest(std::string_view line);
// The reply: "OK SIZE" (then SIZE bytes) or "ERR TEXT". A Failure naming `peer` for anything
// else, a size that is not a number included.
struct ObjectReply {
  bool ok = false;
  std::int64_t size = 0;
  std::string error;  // when !ok
};
ObjectReply ParseObjectReply(std::string_view line, const std::string& peer);

class ObjectTransfer {
 public:
  // A listening socket on host (port 0: any); returns the fd and sets *port.
  static int Listen(const std::string& host, int* port);
  // Serves objects from `store` on `listen_fd` until the process is killed.
  [[noreturn]] static void Serve(int listen_fd, const ObjectStore& store, const std::string& token);
  // Pulls `object` from host:port into `store` as a copy; a Failure naming the peer on any error
  // (refused token, missing object, checksum mismatch, timeout). Returns bytes received.
  static std::int64_t Pull(const std::string& host, int port, const std::string& token,
                           const ObjectInfo& object, ObjectStore& store,
                           std::vector<std::string>* evicted);
};

}  // namespace scaleml::tasks
