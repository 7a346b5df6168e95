// The ddp group's Comm: the ranks' own full mesh of TCP connections (PeerLinks) carries the
// collectives whose cost is latency, on the calling thread (no transport thread, no hand-off:
// gbdt sends thousands of 40 KB allreduces a fit), and a bulk Comm behind it (GlooComm, Gloo's
// bandwidth-optimal ring) carries the large ones:
// - over the mesh: an allreduce, allgather or broadcast of up to kMeshMaxBytes to all peers
//   together, every reduce-scatter, allgatherv (each buffer at its own size, no padding) and the
//   barrier. Every contribution is reduced in rank order on every rank, so floating-point results
//   agree bit for bit;
// - through the bulk Comm: larger allreduces, allgathers and broadcasts.
// A failure in either marks the group broken: the mesh is closed first (so peers waiting on this
// rank fail at once rather than at their timeout), then `after_failure` stops the bulk transport
// and says which ranks were lost, and every later call fails at once with the same description.
// Thread-safety: as Comm (one thread calls the operations).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "comm/Comm.h"
#include "comm/PeerLinks.h"

namespace scaleml {

class TcpMeshComm final : public Comm {
 public:
  // Up to this many bytes to all peers together, an allreduce, allgather or broadcast sends each
  // peer its part directly over the mesh: one message each way per pair, where Gloo's ring takes
  // 2(N-1) steps.
  static constexpr std::size_t kMeshMaxBytes = std::size_t{4} << 20;

  // `bulk` has the same rank and size as `links`. `after_failure` is called once, after the first
  // failure, with the mesh closed; it returns what is known of the lost ranks.
  TcpMeshComm(std::unique_ptr<PeerLinks> links, std::unique_ptr<Comm> bulk,
              std::function<std::string()> after_failure);
  ~TcpMeshComm() override;

  int rank() const override { return links_->rank(); }
  int size() const override { return links_->size(); }

  Status AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) override;
  Status ReduceScatterBytes(const void* send, void* recv, std::span<const std::size_t> block_counts,
                            DataType type, ReduceOp op) override;
  Status AllgatherBytes(const void* in, std::size_t bytes, void* out) override;
  Status AllgatherVBytes(std::span<const std::byte> in,
                         std::vector<std::vector<std::byte>>* out) override;
  Status BroadcastBytes(void* data, std::size_t bytes, int root) override;
  Status Barrier() override;

 private:
  // Runs one collective: counts it in stats(); after a failure, leaves the group broken.
  template <class Body>
  Status Run(const std::string& what, std::size_t bytes, Body&& body);
  // Whether `bytes` per peer is small enough for the mesh.
  bool OverMesh(std::size_t bytes) const;
  Status Exchange();
  // Sends every peer `to_peer(peer)` and receives `from_peer(peer)` from it in one exchange.
  template <class ToPeer, class FromPeer>
  Status ExchangeWithEveryPeer(ToPeer to_peer, FromPeer from_peer);
  // Sends each peer `to_peer(peer)` and receives from every peer `bytes` of contribution to this
  // rank's result; every contribution, `mine` included, is reduced into `out` in rank order.
  // `out` may be `mine`.
  template <class ToPeer>
  Status ExchangeAndReduce(const std::byte* mine, std::size_t bytes, ToPeer to_peer, void* out,
                           DataType type, ReduceOp op);
  Status AllgatherRaw(const void* in, std::size_t bytes, void* out);

  // Declared first, destroyed last: the mesh closes before the bulk transport and its store.
  std::unique_ptr<Comm> bulk_;
  std::unique_ptr<PeerLinks> links_;
  std::function<std::string()> after_failure_;
  std::vector<std::byte> exchange_scratch_;  // every rank's contribution, for ExchangeAndReduce
  std::vector<PeerLinks::Outgoing> sends_;
  std::vector<PeerLinks::Incoming> receives_;
  std::string broken_;  // why the group is unusable; empty while it works
};

}  // namespace scaleml
