#include "dashboard/SessionAuth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "core/Error.h"

namespace scaleml::dashboard {

SessionAuth::SessionAuth(std::string token, double session_lifetime_s, std::size_t max_sessions)
    : token_digest_(Sha256(token)), lifetime_s_(session_lifetime_s), max_sessions_(max_sessions) {
  if (token.empty()) {
    throw InputError(
        "dashboard: a token is required (--token-file FILE, SCALEML_TOKEN, or a cluster here)");
  }
  // The token itself is not kept: only its digest is compared.
  OPENSSL_cleanse(token.data(), token.size());
}

SessionAuth::Digest SessionAuth::Sha256(std::string_view text) {
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw Failure("dashboard: SHA-256 failed");
  }
  return digest;
}

double SessionAuth::Now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool SessionAuth::TokenMatches(std::string_view candidate) const {
  if (candidate.empty()) return false;
  const Digest digest = Sha256(candidate);
  return CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) == 0;
}

std::string SessionAuth::NewSession() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw Failure("dashboard: no random bytes for a session id");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  const double now = Now();
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second <= now; });
  if (sessions_.size() >= max_sessions_) {
    auto oldest =
        std::min_element(sessions_.begin(), sessions_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    sessions_.erase(oldest);
  }
  sessions_[Sha256(id)] = now + lifetime_s_;
  return id;
}

bool SessionAuth::SessionValid(std::string_view session_id) {
  if (session_id.size() != 64) return false;
  // Looked up by digest: the map's comparisons see the digest, never the id itself.
  const Digest digest = Sha256(session_id);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return false;
  if (it->second <= Now()) {
    sessions_.erase(it);
    return false;
  }
  return true;
}

void SessionAuth::EndSession(std::string_view session_id) {
  const Digest digest = Sha256(session_id);
  std::lock_guard lock(mutex_);
  sessions_.erase(digest);
}

bool SessionAuth::Authorized(std::string_view authorization, std::string_view cookies) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return TokenMatches(authorization.substr(kBearer.size()));
  }
  const std::string_view session = CookieValue(cookies, kCookieName);
  return !session.empty() && SessionValid(session);
}

std::string SessionAuth::SessionCookie(const std::string& session_id) const {
  return StrCat(kCookieName, "=", session_id, "; Path=/; HttpOnly; SameSite=Strict; Max-Age=",
                static_cast<long long>(lifetime_s_));
}

std::string_view SessionAuth::CookieValue(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    const std::size_t end = std::min(cookies.find(';'), cookies.size());
    std::string_view pair = cookies.substr(0, end);
    cookies.remove_prefix(std::min(end + 1, cookies.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return pair.substr(equals + 1);
    }
  }
  return {};
}

}  // namespace scaleml::dashboard
