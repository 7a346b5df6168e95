// Moves objects between nodes over TCP (src/net: deadlines on every wait, failures as a Status
// with a code). Each node agent runs a server (in its own process, so a large transfer never
// stalls the agent's scheduling) that streams an object in chunks straight from its mapping (in
// shared memory or spilled to disk) to a peer that presents the cluster token; the puller writes
// the bytes into its own store as a copy, checks the XXH3-64 checksum recorded at put time, and
// only then publishes the copy.
//
// Idle or hostile sockets cannot lock honest nodes out: a connection must present its request
// line within kAuthDeadlineS or it is dropped; connections not yet authenticated are capped per
// peer address (a new one pushes out that peer's oldest) and in all; authenticated transfers are
// capped per peer and in all, and a transfer that stops moving is dropped after a deadline.
// Thread-safety: ObjectServer serves each transfer on its own thread; Pull is reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/Status.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ObjectStore.h"
#include "net/Socket.h"

namespace scaleml::tasks {

// A connection that has not sent its request line this long after it was accepted is dropped.
constexpr double kAuthDeadlineS = 2.0;
// Connections waiting to authenticate: per peer address, and in all.
constexpr int kMaxPendingPerPeer = 16;
constexpr int kMaxPending = 256;
// Authenticated transfers served at once: per peer address, and in all.
constexpr int kMaxServingPerPeer = 16;
constexpr int kMaxServing = 64;

// The protocol's two lines, parsed by pure functions (fuzzed by fuzz/object_transfer.cc).
// The request: "SMOBJ1 TOKEN OBJECT_ID"; nullopt for anything else.
struct ObjectRequest {
  std::string token;
  std::string object_id;
};
std::optional<ObjectRequest> ParseObjectRequest(std::string_view line);
// The reply: "OK SIZE" (then SIZE bytes) or "ERR TEXT"; a TEXT that starts with "denied:",
// "busy:" or "invalid:" gives the puller's StatusCode. A Failure naming `peer` for anything
// else, a size that is not a number included.
struct ObjectReply {
  bool ok = false;
  std::int64_t size = 0;
  std::string error;                      // when !ok
  StatusCode code = StatusCode::kFailed;  // when !ok
};
ObjectReply ParseObjectReply(std::string_view line, const std::string& peer);

class ObjectTransfer {
 public:
  // A listening socket on host (port 0: any).
  static Status Listen(const std::string& host, int port, net::Listener* out);
  // Serves objects from `store` on `listener` until the process is killed.
  [[noreturn]] static void Serve(net::Socket listener, const ObjectStore& store,
                                 const std::string& token);
  // Pulls `object` from host:port into `store` as a copy; *bytes is what it received. A Status
  // naming the peer on any error: kRefused (nobody listens, or the server is busy), kDenied
  // (token), kTimeout, kPeerLost, kInvalid (a malformed reply or a checksum mismatch), kFailed
  // (no such object there, no room here). Nothing is left in the store on failure.
  static Status Pull(const std::string& host, int port, const std::string& token,
                     const ObjectInfo& object, ObjectStore& store,
                     std::vector<std::string>* evicted, std::int64_t* bytes);
};

}  // namespace scaleml::tasks
