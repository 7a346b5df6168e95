#include "comm/LocalComm.h"

#include <cstring>

namespace scaleml {

Status LocalComm::ReduceScatterBytes(const void* send, void* recv,
                                     std::span<const std::size_t> block_counts, DataType type,
                                     ReduceOp) {
  const std::size_t bytes = block_counts.empty() ? 0 : block_counts[0] * DataTypeSize(type);
  if (bytes > 0 && send != recv) std::memmove(recv, send, bytes);
  return Status::Ok();
}

Status LocalComm::AllgatherBytes(const void* in, std::size_t bytes, void* out) {
  if (bytes > 0 && in != out) std::memcpy(out, in, bytes);
  return Status::Ok();
}

Status LocalComm::AllgatherVBytes(std::span<const std::byte> in,
                                  std::vector<std::vector<std::byte>>* out) {
  out->assign(1, std::vector<std::byte>(in.begin(), in.end()));
  return Status::Ok();
}

}  // namespace scaleml
