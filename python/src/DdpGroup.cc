#include "DdpGroup.h"

#include <span>

#include "comm/CommOps.h"
#include "core/Error.h"
#include "engine/ddp/GlooCommLoader.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

std::unique_ptr<DdpGroup> DdpGroup::FromEnvironment() {
  const RankEnvironment env = RankEnvironment::FromEnvironment();
  std::unique_ptr<Comm> comm =
      ConnectGlooComm({env.master_addr, env.master_port, env.rank, env.world_size,
                       env.comm_timeout_s, "", env.agent_store, env.attempt, env.token});
  return std::unique_ptr<DdpGroup>(new DdpGroup(std::move(comm), env.rank, env.world_size));
}

Comm& DdpGroup::comm() {
  if (comm_ == nullptr) throw Failure("ddp: the process group is closed");
  return *comm_;
}

std::vector<std::string> DdpGroup::AllgatherBytes(const std::string& mine) {
  const auto parts = AllgatherV(
      comm(),
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(mine.data()), mine.size()));
  std::vector<std::string> out;
  out.reserve(parts.size());
  for (const auto& part : parts) {
    out.emplace_back(reinterpret_cast<const char*>(part.data()), part.size());
  }
  return out;
}

std::int64_t DdpGroup::FirstRowId(std::int64_t rows) {
  const std::vector<std::int64_t> counts =
      AllgatherConcat(comm(), std::span<const std::int64_t>(&rows, 1));
  std::int64_t first = 0;
  for (int r = 0; r < rank_; ++r) first += counts[r];
  return first;
}

void DdpGroup::Close() {
  if (comm_ == nullptr) return;
  // Nobody closes its links while a peer may still be reading from them.
  Barrier(*comm_);
  comm_.reset();
}

}  // namespace scaleml
