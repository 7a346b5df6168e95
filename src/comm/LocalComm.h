// The single-process communicator (size 1): every collective is the identity. Training with it is
// the single-machine case of the one data-parallel implementation of each algorithm.
// Thread-safety: stateless apart from stats; one thread at a time.
#pragma once

#include "comm/Comm.h"

namespace scaleml {

class LocalComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  Status AllreduceBytes(void*, std::size_t, DataType, ReduceOp) override { return Status::Ok(); }
  Status ReduceScatterBytes(const void* send, void* recv, std::span<const std::size_t> block_counts,
                            DataType type, ReduceOp op) override;
  Status AllgatherBytes(const void* in, std::size_t bytes, void* out) override;
  Status AllgatherVBytes(std::span<const std::byte> in,
                         std::vector<std::vector<std::byte>>* out) override;
  Status BroadcastBytes(void*, std::size_t, int) override { return Status::Ok(); }
  Status Barrier() override { return Status::Ok(); }
};

}  // namespace scaleml
