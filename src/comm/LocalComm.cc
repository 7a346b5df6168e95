#include "comm/LocalComm.h"

#include <cstring>

namespace scaleml {

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
