// Typed collectives over Comm's byte-level operations. A failed operation throws a Failure that
// names the rank and the operation: algorithms cannot go on without their peers.
// Thread-safety: as Comm (the rank's thread only).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "comm/Comm.h"
#include "core/Error.h"

namespace scaleml {

template <class T>
constexpr DataType DataTypeOf() {
  if constexpr (std::is_same_v<T, float>) return DataType::kFloat32;
  if constexpr (std::is_same_v<T, double>) return DataType::kFloat64;
  if constexpr (std::is_same_v<T, std::int32_t>) return DataType::kInt32;
  if constexpr (std::is_same_v<T, std::int64_t>) return DataType::kInt64;
  if constexpr (std::is_same_v<T, std::uint64_t>) return DataType::kUInt64;
}

void ThrowIfFailed(const Comm& comm, const Status& status, const char* operation);

template <class T>
void Allreduce(Comm& comm, std::span<T> data, ReduceOp op) {
  if (comm.size() == 1 || data.empty()) return;
  ThrowIfFailed(comm, comm.AllreduceBytes(data.data(), data.size(), DataTypeOf<T>(), op),
                "allreduce");
}

template <class T>
void AllreduceSum(Comm& comm, std::span<T> data) {
  Allreduce(comm, data, ReduceOp::kSum);
}

template <class T>
T AllreduceValue(Comm& comm, T value, ReduceOp op) {
  Allreduce(comm, std::span<T>(&value, 1), op);
  return value;
}

template <class T>
T AllreduceSum(Comm& comm, T value) {
  return AllreduceValue(comm, value, ReduceOp::kSum);
}

// Block rank() of `send` (size() blocks of block_counts[r] elements side by side) summed over the
// ranks into `recv` (block_counts[rank()] elements).
template <class T>
void ReduceScatterSum(Comm& comm, std::span<const T> send, std::span<T> recv,
                      std::span<const std::size_t> block_counts) {
  std::size_t total = 0;
  for (std::size_t count : block_counts) total += count;
  if (block_counts.size() != static_cast<std::size_t>(comm.size()) || total != send.size() ||
      recv.size() != block_counts[comm.rank()]) {
    throw Failure("rank ", comm.rank(), " of ", comm.size(), ": reduce-scatter of ", send.size(),
                  " elements into ", recv.size(), " with ", block_counts.size(), " blocks of ",
                  total, " (the blocks must cover the buffer, one per rank)");
  }
  ThrowIfFailed(comm,
                comm.ReduceScatterBytes(send.data(), recv.data(), block_counts, DataTypeOf<T>(),
                                        ReduceOp::kSum),
                "reduce-scatter");
}

// Every rank's buffer, in rank order.
std::vector<std::vector<std::byte>> AllgatherV(Comm& comm, std::span<const std::byte> mine);

// Every rank's vector of trivially copyable values, concatenated in rank order.
template <class T>
std::vector<T> AllgatherConcat(Comm& comm, std::span<const T> mine) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (comm.size() == 1) return std::vector<T>(mine.begin(), mine.end());
  auto parts = AllgatherV(comm, std::as_bytes(mine));
  std::vector<T> out;
  for (const auto& part : parts) {
    std::size_t n = part.size() / sizeof(T);
    std::size_t at = out.size();
    out.resize(at + n);
    if (n > 0) std::memcpy(out.data() + at, part.data(), n * sizeof(T));
  }
  return out;
}

// Replaces `bytes` on every rank with root's (sizes may differ before the call).
void Broadcast(Comm& comm, std::vector<std::byte>& bytes, int root);

void Barrier(Comm& comm);

}  // namespace scaleml
