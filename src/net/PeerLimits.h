// Counts of a server's connections per peer address and in all, with a cap on each, so one peer
// (or a crowd of idle sockets from it) cannot take every slot a server has.
// Thread-safety: all members may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace scaleml::net {

class PeerLimits {
 public:
  PeerLimits(int per_peer, int total) : per_peer_(per_peer), total_(total) {}
  // Takes a slot for `peer`; false (nothing taken) when the peer or the server is at its cap.
  bool TryAcquire(const std::string& peer);
  void Release(const std::string& peer);
  int Count(const std::string& peer) const;
  int Total() const;

 private:
  const int per_peer_;
  const int total_;
  mutable std::mutex mutex_;
  std::map<std::string, int> by_peer_;
  int in_use_ = 0;
};

// The numeric address of a connected socket's peer (IPv4 or IPv6); "?" when unknown.
std::string PeerAddressOf(int fd);

}  // namespace scaleml::net
