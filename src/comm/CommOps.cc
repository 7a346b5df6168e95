#include "comm/CommOps.h"

namespace scaleml {

void ThrowIfFailed(const Comm& comm, const Status& status, const char* operation) {
  if (!status.ok()) {
    throw Failure("rank ", comm.rank(), " of ", comm.size(), ": ", operation,
                  " failed: ", status.message());
  }
}

std::vector<std::vector<std::byte>> AllgatherV(Comm& comm, std::span<const std::byte> mine) {
  std::vector<std::vector<std::byte>> out;
  if (comm.size() == 1) {
    out.emplace_back(mine.begin(), mine.end());
    return out;
  }
  ThrowIfFailed(comm, comm.AllgatherVBytes(mine, &out), "allgatherv");
  return out;
}

void Broadcast(Comm& comm, std::vector<std::byte>& bytes, int root) {
  if (comm.size() == 1) return;
  std::uint64_t size = bytes.size();
  ThrowIfFailed(comm, comm.BroadcastBytes(&size, sizeof(size), root), "broadcast");
  bytes.resize(size);
  ThrowIfFailed(comm, comm.BroadcastBytes(bytes.data(), size, root), "broadcast");
}

void Barrier(Comm& comm) {
  if (comm.size() == 1) return;
  ThrowIfFailed(comm, comm.Barrier(), "barrier");
}

}  // namespace scaleml
