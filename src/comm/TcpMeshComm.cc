#include "comm/TcpMeshComm.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/Error.h"
#include "core/Stopwatch.h"

namespace scaleml {

TcpMeshComm::TcpMeshComm(std::unique_ptr<PeerLinks> links, std::unique_ptr<Comm> bulk,
                         std::function<std::string()> after_failure)
    : bulk_(std::move(bulk)), links_(std::move(links)), after_failure_(std::move(after_failure)) {}

TcpMeshComm::~TcpMeshComm() = default;

template <class Body>
Status TcpMeshComm::Run(const std::string& what, std::size_t bytes, Body&& body) {
  if (!broken_.empty()) {
    return Status::Fail(
        StrCat(what, ": the group is unusable after an earlier failure (", broken_, ")"));
  }
  Stopwatch watch;
  ++stats().calls;
  stats().bytes_sent += static_cast<std::int64_t>(bytes);
  const Status status = body();
  const double seconds = watch.Seconds();
  stats().seconds += seconds;
  if (status.ok()) return status;
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", seconds);
  // Close this rank's connections before asking who is left: a survivor that was waiting on us,
  // not on the lost rank, then fails at once and checks in, instead of after its timeout.
  links_->Close();
  const std::string lost = after_failure_ ? after_failure_() : "";
  broken_ =
      StrCat(what, ", after ", elapsed, " s: ", status.message(), lost.empty() ? "" : "; ", lost);
  return Status::Fail(status.code(), broken_);
}

bool TcpMeshComm::OverMesh(std::size_t bytes) const {
  return bytes * static_cast<std::size_t>(size() - 1) <= kMeshMaxBytes;
}

Status TcpMeshComm::Exchange() { return links_->Exchange(sends_, receives_); }

template <class ToPeer, class FromPeer>
Status TcpMeshComm::ExchangeWithEveryPeer(ToPeer to_peer, FromPeer from_peer) {
  sends_.clear();
  receives_.clear();
  for (int peer = 0; peer < size(); ++peer) {
    if (peer == rank()) continue;
    sends_.push_back({peer, to_peer(peer)});
    receives_.push_back({peer, from_peer(peer)});
  }
  return Exchange();
}

template <class ToPeer>
Status TcpMeshComm::ExchangeAndReduce(const std::byte* mine, std::size_t bytes, ToPeer to_peer,
                                      void* out, DataType type, ReduceOp op) {
  exchange_scratch_.resize(bytes * static_cast<std::size_t>(size()));
  std::byte* all = exchange_scratch_.data();
  if (bytes > 0) std::memcpy(all + bytes * rank(), mine, bytes);
  Status status = ExchangeWithEveryPeer(
      to_peer, [&](int peer) { return std::span<std::byte>(all + bytes * peer, bytes); });
  if (!status.ok() || bytes == 0) return status;
  const std::size_t count = bytes / DataTypeSize(type);
  std::memcpy(out, all, bytes);
  for (int r = 1; r < size(); ++r) ReduceInto(out, all + bytes * r, count, type, op);
  return Status::Ok();
}

Status TcpMeshComm::AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) {
  const std::string what =
      StrCat("allreduce of ", count, " ", DataTypeName(type), " (", ReduceOpName(op), ")");
  const std::size_t bytes = count * DataTypeSize(type);
  return Run(what, bytes, [&] {
    if (count == 0 || size() == 1) return Status::Ok();
    if (!OverMesh(bytes)) return bulk_->AllreduceBytes(data, count, type, op);
    const auto* mine = static_cast<const std::byte*>(data);
    return ExchangeAndReduce(
        mine, bytes, [&](int) { return std::span<const std::byte>(mine, bytes); }, data, type, op);
  });
}

Status TcpMeshComm::ReduceScatterBytes(const void* send, void* recv,
                                       std::span<const std::size_t> block_counts, DataType type,
                                       ReduceOp op) {
  std::size_t total = 0;
  for (std::size_t count : block_counts) total += count;
  const std::string what = StrCat("reduce-scatter of ", total, " ", DataTypeName(type), " (",
                                  ReduceOpName(op), ") in ", block_counts.size(), " blocks");
  if (block_counts.size() != static_cast<std::size_t>(size())) {
    return Status::Fail(StrCat(what, ": a group of ", size(), " ranks needs ", size(), " blocks"));
  }
  // What leaves this rank: every block but its own.
  const std::size_t sent = (total - block_counts[rank()]) * DataTypeSize(type);
  return Run(what, sent, [&] {
    if (total == 0) return Status::Ok();
    std::vector<std::size_t> offsets(block_counts.size() + 1, 0);
    for (std::size_t r = 0; r < block_counts.size(); ++r) {
      offsets[r + 1] = offsets[r] + block_counts[r] * DataTypeSize(type);
    }
    const auto* blocks = static_cast<const std::byte*>(send);
    return ExchangeAndReduce(
        blocks + offsets[rank()], offsets[rank() + 1] - offsets[rank()],
        [&](int peer) {
          return std::span<const std::byte>(blocks + offsets[peer],
                                            offsets[peer + 1] - offsets[peer]);
        },
        recv, type, op);
  });
}

Status TcpMeshComm::AllgatherRaw(const void* in, std::size_t bytes, void* out) {
  if (bytes == 0) return Status::Ok();
  auto* all = static_cast<std::byte*>(out);
  if (size() == 1) {
    std::memmove(all, in, bytes);
    return Status::Ok();
  }
  if (!OverMesh(bytes)) return bulk_->AllgatherBytes(in, bytes, out);
  std::memmove(all + bytes * rank(), in, bytes);
  return ExchangeWithEveryPeer(
      [&](int) { return std::span<const std::byte>(all + bytes * rank(), bytes); },
      [&](int peer) { return std::span<std::byte>(all + bytes * peer, bytes); });
}

Status TcpMeshComm::AllgatherBytes(const void* in, std::size_t bytes, void* out) {
  return Run(StrCat("allgather of ", bytes, " bytes"), bytes,
             [&] { return AllgatherRaw(in, bytes, out); });
}

Status TcpMeshComm::AllgatherVBytes(std::span<const std::byte> in,
                                    std::vector<std::vector<std::byte>>* out) {
  return Run(StrCat("allgatherv of ", in.size(), " bytes"), in.size(), [&] {
    // Sizes first, then each buffer straight to every peer at its own size: no padding, so a
    // rank with nothing to say (rf's tree owner, for one) sends nothing.
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(size()));
    std::int64_t mine = static_cast<std::int64_t>(in.size());
    if (Status s = AllgatherRaw(&mine, sizeof(mine), sizes.data()); !s.ok()) return s;
    out->assign(static_cast<std::size_t>(size()), {});
    for (int r = 0; r < size(); ++r) (*out)[r].resize(static_cast<std::size_t>(sizes[r]));
    Status status = ExchangeWithEveryPeer(
        [&](int) { return in; }, [&](int peer) { return std::span<std::byte>((*out)[peer]); });
    (*out)[rank()].assign(in.begin(), in.end());
    return status;
  });
}

Status TcpMeshComm::BroadcastBytes(void* data, std::size_t bytes, int root) {
  if (root < 0 || root >= size()) {
    return Status::Fail(StrCat("broadcast root ", root, " is not a rank of ", size()));
  }
  return Run(StrCat("broadcast of ", bytes, " bytes from rank ", root), bytes, [&] {
    if (bytes == 0 || size() == 1) return Status::Ok();
    if (!OverMesh(bytes)) return bulk_->BroadcastBytes(data, bytes, root);
    const std::span<std::byte> buffer(static_cast<std::byte*>(data), bytes);
    sends_.clear();
    receives_.clear();
    if (rank() == root) {
      for (int peer = 0; peer < size(); ++peer) {
        if (peer != rank()) sends_.push_back({peer, buffer});
      }
    } else {
      receives_.push_back({root, buffer});
    }
    return Exchange();
  });
}

Status TcpMeshComm::Barrier() {
  return Run("barrier", 0, [&] {
    // An empty message to and from every peer: none returns before all have arrived.
    return ExchangeWithEveryPeer([](int) { return std::span<const std::byte>(); },
                                 [](int) { return std::span<std::byte>(); });
  });
}

}  // namespace scaleml
