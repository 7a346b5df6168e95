// The wire format of scaleml's rendezvous store (RendezvousServer / RendezvousClient), where the
// ranks of a ddp group publish and look up their addresses.
//
// Handshake (both directions prove they hold the group's token; without a token the key is
// empty and the handshake only checks the protocol, as torchrun's store checks nothing):
//   server -> client: "SMLS" version(u8) nonce_s(32)
//   client -> server: "SMLC" version(u8) nonce_c(32) HMAC(token, "client" nonce_s nonce_c)(32)
//   server -> client: HMAC(token, "server" nonce_c nonce_s)(32)
// A client that has not completed it within the handshake deadline is dropped.
//
// Requests, once authenticated: a fixed header {op(u8), key bytes(u32), value bytes(u64)}, then
// the key and the value. Replies: {status(u8), bytes(u64)}, then the bytes. A request whose
// header is incomplete or whose body has not arrived within the stall deadline is dropped with
// its connection: a slow or half-sent request never holds up anyone else.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/Status.h"
#include "net/Hmac.h"

namespace scaleml::rendezvous {

inline constexpr char kServerMagic[4] = {'S', 'M', 'L', 'S'};
inline constexpr char kClientMagic[4] = {'S', 'M', 'L', 'C'};
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kServerHelloBytes = 4 + 1 + 32;
inline constexpr std::size_t kClientHelloBytes = 4 + 1 + 32 + 32;
inline constexpr std::uint32_t kMaxKeyBytes = 4096;
inline constexpr std::uint64_t kMaxValueBytes = std::uint64_t{64} << 20;

enum class Op : std::uint8_t {
  kSet = 1,      // key, value -> ok
  kGet = 2,      // key -> the value, once the key exists
  kAdd = 3,      // key, 8-byte delta -> the new value (stored as decimal text, as c10d does)
  kCheck = 4,    // value = keys joined by '\0' -> 1 byte: all exist
  kDelete = 5,   // key -> 1 byte: existed
  kNumKeys = 6,  // -> 8 bytes
};

enum class ReplyStatus : std::uint8_t { kOk = 0, kBadRequest = 1 };

#pragma pack(push, 1)
struct RequestHeader {
  std::uint8_t op;
  std::uint32_t key_bytes;
  std::uint64_t value_bytes;
};
struct ReplyHeader {
  std::uint8_t status;
  std::uint64_t bytes;
};
#pragma pack(pop)

// A request header is valid when its op is known and its sizes are within the limits.
inline Status CheckRequestHeader(const RequestHeader& header) {
  if (header.op < static_cast<std::uint8_t>(Op::kSet) ||
      header.op > static_cast<std::uint8_t>(Op::kNumKeys)) {
    return Status::Fail(StatusCode::kInvalid, "unknown request");
  }
  if (header.key_bytes > kMaxKeyBytes) return Status::Fail(StatusCode::kInvalid, "key too long");
  if (header.value_bytes > kMaxValueBytes) {
    return Status::Fail(StatusCode::kInvalid, "value too large");
  }
  if (header.op == static_cast<std::uint8_t>(Op::kAdd) && header.value_bytes != 8) {
    return Status::Fail(StatusCode::kInvalid, "add needs an 8-byte delta");
  }
  return Status::Ok();
}

inline std::string ProofMessage(std::string_view role, const net::Nonce& first,
                                const net::Nonce& second) {
  std::string message(role);
  message.append(reinterpret_cast<const char*>(first.data()), first.size());
  message.append(reinterpret_cast<const char*>(second.data()), second.size());
  return message;
}

}  // namespace scaleml::rendezvous
