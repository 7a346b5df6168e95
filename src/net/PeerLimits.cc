#include "net/PeerLimits.h"

#include <netdb.h>
#include <sys/socket.h>

namespace scaleml::net {

bool PeerLimits::TryAcquire(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& count = by_peer_[peer];
  if (count >= per_peer_ || in_use_ >= total_) {
    if (count == 0) by_peer_.erase(peer);
    return false;
  }
  ++count;
  ++in_use_;
  return true;
}

void PeerLimits::Release(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_peer_.find(peer);
  if (it == by_peer_.end()) return;
  --in_use_;
  if (--it->second == 0) by_peer_.erase(it);
}

int PeerLimits::Count(const std::string& peer) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_peer_.find(peer);
  return it == by_peer_.end() ? 0 : it->second;
}

int PeerLimits::Total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_use_;
}

std::string PeerAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  char host[NI_MAXHOST];
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof(host), nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "?";
  }
  return host;
}

}  // namespace scaleml::net
