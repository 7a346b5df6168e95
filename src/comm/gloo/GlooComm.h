// A Comm over PyTorch's c10d ProcessGroupGloo, and the ddp group's connection: a rendezvous store
// at master_addr:port (scaleml's own RendezvousServer hosted by rank 0, bound to that address and
// answering only holders of the group's token; or torchrun's TCPStore when its agent hosts the
// store), then Gloo's full mesh of TCP pairs. Connect returns the group's Comm, a TcpMeshComm:
// the ranks' own mesh of sockets (PeerLinks, formed through the same store) for the
// latency-bound collectives, with this GlooComm behind it for the large ones (Gloo's
// bandwidth-optimal algorithms). On its own, every operation here runs through Gloo (uneven
// reduce-scatters as a whole allreduce, allgatherv padded to the largest buffer). Every
// collective has the configured timeout; after a failure the group is unusable, and
// AbandonAndFindLostPeers names, after asking the store which ranks are still there, the rank
// that was lost. Only libscaleml_gloo.so compiles this file (it includes torch headers).
// Thread-safety: as Comm (one thread calls the operations).
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
  // Joins the group described by `config` and returns its TcpMeshComm (with a GlooComm behind
  // it); throws std::runtime_error with one line on failure (wrong master address, port in use,
  // a rank that never came, a timeout).
  static std::unique_ptr<Comm> Connect(const ScalemlGlooConfig& config);

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
           c10::intrusive_ptr<CallerThreadGloo> group);

 public:
  // After a failure of the group (here or in the mesh in front): drops Gloo's pairs and says
  // which ranks are gone, each survivor checking in at the store and waiting a moment for the
  // others.
  std::string AbandonAndFindLostPeers();

 private:
  // Runs one collective: counts it in stats(), turns exceptions into a Status and, after a
  // failure, leaves the group broken so later calls fail at once instead of hanging.
  template <class Body>
  Status Run(const std::string& what, std::size_t bytes, Body&& body);
  std::string DescribeLostPeers();
  std::string AliveKey(int rank) const { return key_prefix_ + "alive/" + std::to_string(rank); }
  void AllgatherRaw(const void* in, std::size_t bytes, void* out);

  int rank_;
  int size_;
  double timeout_s_;
  std::string key_prefix_;                    // of every key this group sets in the store
  std::unique_ptr<RendezvousServer> server_;  // rank 0's, unless torchrun's agent hosts it
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CallerThreadGloo> group_;
  std::vector<std::byte> scratch_;  // reduce-scatter's and allgatherv's whole buffer
  std::string broken_;              // why the group is unusable; empty while it works
};

}  // namespace scaleml
