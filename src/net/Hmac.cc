#include "net/Hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "core/Error.h"

namespace scaleml::net {

Digest HmacSha256(std::string_view key, std::string_view message) {
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
       &length);
  return digest;
}

bool DigestsEqual(const Digest& a, const Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Nonce RandomNonce() {
  Nonce nonce{};
  std::size_t done = 0;
  while (done < nonce.size()) {
    const ssize_t n = getrandom(nonce.data() + done, nonce.size() - done, 0);
    if (n < 0 && errno != EINTR) throw Failure("getrandom: ", std::strerror(errno));
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  return nonce;
}

}  // namespace scaleml::net
