// The ddp process group of a Python process started by `scaleml launch` or torchrun: the rank's
// place from the launcher's environment (RankEnvironment), the Gloo group formed through the
// rendezvous store (GlooCommLoader, rank 0 hosting the store under `scaleml launch`, with the
// token of SCALEML_TOKEN / SCALEML_TOKEN_FILE), and the few collectives the Python side needs
// around a fit (the union of the ranks' classes, each rank's first global row id).
// The package forms one per process, on the first fit with engine="ddp", and keeps it (as
// torch.distributed's default group); Close() waits for every rank before the links go.
// Thread-safety: one thread at a time (the Comm's rule).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm/Comm.h"

namespace scaleml {

class DdpGroup {
 public:
  // Throws an InputError when the launcher's variables are missing (not run under a launcher)
  // and a Failure when the group cannot form (the Gloo library missing, the rendezvous failing).
  static std::unique_ptr<DdpGroup> FromEnvironment();

  int rank() const { return rank_; }
  int size() const { return size_; }
  Comm& comm();

  // Every rank's bytes, in rank order.
  std::vector<std::string> AllgatherBytes(const std::string& mine);
  // The global row id of this rank's first row: the rows of the ranks before it.
  std::int64_t FirstRowId(std::int64_t rows);
  // Waits for every rank, then closes the links; later calls fail.
  void Close();

 private:
  DdpGroup(std::unique_ptr<Comm> comm, int rank, int size)
      : comm_(std::move(comm)), rank_(rank), size_(size) {}

  std::unique_ptr<Comm> comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace scaleml
