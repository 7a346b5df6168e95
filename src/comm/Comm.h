// The collective-communication interface every algorithm uses to train data-parallel: a few
// byte-level operations that implementations provide (LocalComm, ThreadComm, TcpMeshComm over
// GlooComm) and typed helpers on top (CommOps.h). Algorithms receive a Comm& and never reach for a
// global one.
//
// Contract: every rank calls the same operations in the same order with matching sizes (as in
// MPI and Gloo). Operations return a Status; a failure (a lost peer, a timeout) names the rank
// and the operation. After a failure the Comm is unusable.
// Thread-safety: one thread per Comm object (the rank's thread) calls its operations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/Status.h"

namespace scaleml {

enum class DataType { kFloat32, kFloat64, kInt32, kInt64, kUInt64 };
enum class ReduceOp { kSum, kMin, kMax };

std::size_t DataTypeSize(DataType type);
// "float32", "sum": for messages.
const char* DataTypeName(DataType type);
const char* ReduceOpName(ReduceOp op);

// What a rank has spent on communication; reported per rank by the engines.
struct CommStats {
  std::int64_t calls = 0;
  std::int64_t bytes_sent = 0;  // bytes this rank contributed (reduce-scatter: others' blocks)
  double seconds = 0.0;         // wall time inside collectives
};

class Comm {
 public:
  virtual ~Comm() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;

  // In-place reduction of `count` elements of `type` across all ranks.
  virtual Status AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) = 0;
  // `send` holds size() blocks side by side, block r of `block_counts[r]` elements of `type`
  // (the same counts on every rank; blocks may be empty). `recv` receives block rank() reduced
  // over all ranks, in rank order. Each rank sends only the blocks of the others: (N-1)/N of
  // what an allreduce of the whole buffer would send.
  virtual Status ReduceScatterBytes(const void* send, void* recv,
                                    std::span<const std::size_t> block_counts, DataType type,
                                    ReduceOp op) = 0;
  // Every rank contributes `bytes` bytes; `out` receives size() * bytes, in rank order.
  virtual Status AllgatherBytes(const void* in, std::size_t bytes, void* out) = 0;
  // Every rank contributes a buffer of any size; `out` receives all of them in rank order.
  virtual Status AllgatherVBytes(std::span<const std::byte> in,
                                 std::vector<std::vector<std::byte>>* out) = 0;
  // `bytes` bytes from `root` to every rank (the same size on every rank).
  virtual Status BroadcastBytes(void* data, std::size_t bytes, int root) = 0;
  virtual Status Barrier() = 0;

  CommStats& stats() { return stats_; }
  const CommStats& stats() const { return stats_; }

 private:
  CommStats stats_;
};

// Reduces `count` elements of `in` into `inout` element-wise; shared by implementations.
void ReduceInto(void* inout, const void* in, std::size_t count, DataType type, ReduceOp op);

}  // namespace scaleml
