// A Comm over PyTorch's c10d ProcessGroupGloo: a rendezvous store at master_addr:port (scaleml's
// own RendezvousServer hosted by rank 0, bound to that address and answering only holders of the
// group's token; or torchrun's TCPStore when its agent hosts the store), then a full mesh of TCP
// pairs for the collectives. Collectives whose cost is latency (an allreduce, allgather or
// broadcast of up to 4 MB per rank, every reduce-scatter, the barrier) go over scaleml's own mesh
// of sockets (PeerLinks, formed through the same store) on the calling thread, and so does
// allgatherv (each buffer at its own size, no padding); larger allreduces, allgathers and
// broadcasts over Gloo's bandwidth-optimal algorithms. Every collective has the configured timeout;
// a failure (a peer that died, a timeout) marks the group broken, and the Status names the
// operation and, after asking the store which ranks are still there, the rank that was lost. Only
// libscaleml_gloo.so compiles this file (it includes torch headers). Thread-safety: as Comm (one
// thread calls the operations).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "comm/Comm.h"
#include "comm/PeerLinks.h"
#include "comm/RendezvousServer.h"
#include "comm/gloo/GlooCommAbi.h"

namespace scaleml {

// ProcessGroupGloo whose allreduce can run on the calling thread. The group runs every collective
// on its worker thread, and the caller waits for it: two thread hand-offs per call.
// Thread-safety: as ProcessGroupGloo; AllreduceHere only while no other collective is in flight.
class CallerThreadGloo final : public c10d::ProcessGroupGloo {
 public:
  using c10d::ProcessGroupGloo::ProcessGroupGloo;

  // In-place allreduce of `count` elements at `data` with Gloo's ring (a tag of the group's
  // sequence, so it interleaves with the group's own collectives); throws as they do.
  void AllreduceHere(void* data, std::size_t count, DataType type, ReduceOp op);
};

class GlooComm final : public Comm {
 public:
  // Joins the group described by `config`; throws std::runtime_error with one line on failure
  // (wrong master address, port in use, a rank that never came, a timeout).
  static std::unique_ptr<GlooComm> Connect(const ScalemlGlooConfig& config);

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  Status AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) override;
  Status ReduceScatterBytes(const void* send, void* recv, std::span<const std::size_t> block_counts,
                            DataType type, ReduceOp op) override;
  Status AllgatherBytes(const void* in, std::size_t bytes, void* out) override;
  Status AllgatherVBytes(std::span<const std::byte> in,
                         std::vector<std::vector<std::byte>>* out) override;
  Status BroadcastBytes(void* data, std::size_t bytes, int root) override;
  Status Barrier() override;

 private:
  GlooComm(int rank, int size, double timeout_s, std::string key_prefix,
           std::unique_ptr<RendezvousServer> server, c10::intrusive_ptr<c10d::Store> store,
           c10::intrusive_ptr<CallerThreadGloo> group, std::unique_ptr<PeerLinks> links);

  // Runs one collective: counts it in stats(), turns exceptions into a Status and, after a
  // failure, leaves the group broken so later calls fail at once instead of hanging.
  template <class Body>
  Status Run(const std::string& what, std::size_t bytes, Body&& body);
  // Which peers are gone: each survivor checks in at the store and waits a moment for the others.
  std::string DescribeLostPeers();
  std::string AliveKey(int rank) const { return key_prefix_ + "alive/" + std::to_string(rank); }
  void AllgatherRaw(const void* in, std::size_t bytes, void* out);
  // Whether `bytes` per peer is small enough for the direct exchange over the links.
  bool Direct(std::size_t bytes) const;
  // Sends each peer `to_peer(peer)` and receives from every peer `bytes` of contribution to this
  // rank's result; every contribution, `mine` included, is reduced into `out` in rank order on
  // every rank, so floating-point results agree bit for bit. `out` may be `mine`. Throws.
  template <class ToPeer>
  void ExchangeAndReduce(const std::byte* mine, std::size_t bytes, ToPeer to_peer, void* out,
                         DataType type, ReduceOp op);
  // Sends every peer `to_peer(peer)` and receives `from_peer(peer)` from it, both byte spans, in
  // one exchange over the links. Throws.
  template <class ToPeer, class FromPeer>
  void ExchangeWithEveryPeer(ToPeer to_peer, FromPeer from_peer);
  // Throws the links' failure as the collectives' exceptions.
  void Exchange();

  int rank_;
  int size_;
  double timeout_s_;
  std::string key_prefix_;                    // of every key this group sets in the store
  std::unique_ptr<RendezvousServer> server_;  // rank 0's, unless torchrun's agent hosts it
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CallerThreadGloo> group_;
  std::unique_ptr<PeerLinks> links_;
  std::vector<std::byte> exchange_scratch_;  // every rank's contribution, for ExchangeAndReduce
  std::vector<PeerLinks::Outgoing> sends_;
  std::vector<PeerLinks::Incoming> receives_;
  std::string broken_;  // why the group is unusable; empty while it works
};

}  // namespace scaleml
