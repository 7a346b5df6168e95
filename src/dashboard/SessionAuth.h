// Who may see the dashboard: holders of the cluster token. Programs send it in
// `Authorization: Bearer TOKEN`; a browser trades it once (/?token= or the login form) for a
// session: a random id (32 bytes of OpenSSL's RAND_bytes) in an HttpOnly, SameSite=Strict
// cookie. Tokens are compared in constant time (digests compared with CRYPTO_memcmp, so neither
// the position of a difference nor the length leaks); sessions are kept by the digest of their
// id, expire, and are capped in number (the oldest goes first). Nothing here logs.
// Thread-safety: all methods may be called from several threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace scaleml::dashboard {

class SessionAuth {
 public:
  static constexpr std::string_view kCookieName = "scaleml_session";

  // An empty token is refused (InputError): a dashboard without a token would be open.
  explicit SessionAuth(std::string token, double session_lifetime_s = 12 * 3600.0,
                       std::size_t max_sessions = 1024);

  bool TokenMatches(std::string_view candidate) const;
  // A new session; returns its id (64 hex characters).
  std::string NewSession();
  bool SessionValid(std::string_view session_id);
  void EndSession(std::string_view session_id);
  // The Authorization header ("Bearer TOKEN") or the Cookie header's session.
  bool Authorized(std::string_view authorization, std::string_view cookies);
  // The Set-Cookie value for a session.
  std::string SessionCookie(const std::string& session_id) const;

  // The value of cookie `name` in a Cookie header; empty when absent. Pure.
  static std::string_view CookieValue(std::string_view cookies, std::string_view name);

 private:
  using Digest = std::array<std::uint8_t, 32>;
  static Digest Sha256(std::string_view text);
  double Now() const;

  Digest token_digest_;
  double lifetime_s_;
  std::size_t max_sessions_;
  std::mutex mutex_;
  std::map<Digest, double> sessions_;  // digest of the id -> expiry (steady seconds)
};

}  // namespace scaleml::dashboard
