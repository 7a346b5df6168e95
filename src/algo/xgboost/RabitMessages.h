// Decoding of what a rabit worker sends its tracker: native-endian int32s and int32-length-
// prefixed strings, read from any source of bytes. The tracker reads them from a socket; the
// fuzzer (fuzz/rabit_tracker.cc) from memory, so both run the same code.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/Error.h"

namespace scaleml {

// A worker that broke the protocol or went away (the tracker turns it into its Status).
class RabitLinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::int32_t kRabitMagic = 0xff99;
inline constexpr std::int32_t kRabitMaxStringBytes = 1 << 20;

// `read(void* data, std::size_t bytes)` fills exactly `bytes` or throws RabitLinkError.
template <class Read>
std::int32_t DecodeRabitInt(Read&& read) {
  std::int32_t value = 0;
  read(&value, sizeof(value));
  return value;
}

template <class Read>
std::string DecodeRabitString(Read&& read) {
  const std::int32_t length = DecodeRabitInt(read);
  if (length < 0 || length > kRabitMaxStringBytes) {
    throw RabitLinkError(StrCat("a string of ", length, " bytes"));
  }
  std::string text(static_cast<std::size_t>(length), '\0');
  read(text.data(), text.size());
  return text;
}

// What a worker says after the magic numbers are traded.
struct RabitWorkerHello {
  std::int32_t rank = -1;
  std::int32_t world_size = -1;
  std::string task_id;
  std::string command;
};

template <class Read>
RabitWorkerHello DecodeRabitWorkerHello(Read&& read) {
  RabitWorkerHello hello;
  hello.rank = DecodeRabitInt(read);
  hello.world_size = DecodeRabitInt(read);
  hello.task_id = DecodeRabitString(read);
  hello.command = DecodeRabitString(read);
  return hello;
}

// Reads from a buffer in memory; RabitLinkError past its end.
class RabitBytesReader {
 public:
  explicit RabitBytesReader(std::string_view bytes) : bytes_(bytes) {}
  void operator()(void* data, std::size_t size) {
    if (size > bytes_.size()) throw RabitLinkError("the message ends early");
    std::memcpy(data, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }
  std::size_t left() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

}  // namespace scaleml
