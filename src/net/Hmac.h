// The proof of holding a shared token without sending it: HMAC-SHA256 (OpenSSL's libcrypto)
// over a challenge, compared in constant time, and random challenges from the kernel.
// Thread-safety: reentrant functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace scaleml::net {

using Digest = std::array<std::uint8_t, 32>;
using Nonce = std::array<std::uint8_t, 32>;

Digest HmacSha256(std::string_view key, std::string_view message);
// Equal contents, in time that does not depend on where they differ.
bool DigestsEqual(const Digest& a, const Digest& b);
// 32 bytes from the kernel's random source (getrandom).
Nonce RandomNonce();

}  // namespace scaleml::net
