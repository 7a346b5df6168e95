#include "dashboard/SessionAuth.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "dashboard/SafeName.h"

namespace scaleml::dashboard {
namespace {

TEST(SessionAuthTest, AcceptsOnlyTheToken) {
  SessionAuth auth("s3cret-token");
  EXPECT_TRUE(auth.TokenMatches("s3cret-token"));
  EXPECT_FALSE(auth.TokenMatches("s3cret-tokeN"));
  EXPECT_FALSE(auth.TokenMatches("s3cret-token "));
  EXPECT_FALSE(auth.TokenMatches("s3cret"));
  EXPECT_FALSE(auth.TokenMatches(""));
  EXPECT_TRUE(auth.Authorized("Bearer s3cret-token", ""));
  EXPECT_FALSE(auth.Authorized("Bearer wrong", ""));
  EXPECT_FALSE(auth.Authorized("Basic s3cret-token", ""));
  EXPECT_FALSE(auth.Authorized("", ""));
}

TEST(SessionAuthTest, RefusesAnEmptyToken) { EXPECT_THROW(SessionAuth(""), Error); }

TEST(SessionAuthTest, SessionsAreRandomAndEnd) {
  SessionAuth auth("t");
  const std::string a = auth.NewSession(), b = auth.NewSession();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(auth.Authorized("", "x=1; scaleml_session=" + a));
  EXPECT_FALSE(auth.Authorized("", "scaleml_session=" + std::string(64, '0')));
  auth.EndSession(a);
  EXPECT_FALSE(auth.SessionValid(a));
  EXPECT_TRUE(auth.SessionValid(b));
  const std::string cookie = auth.SessionCookie(b);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
}

TEST(SessionAuthTest, SessionsExpireAndAreCapped) {
  SessionAuth expired("t", /*session_lifetime_s=*/0.0);
  EXPECT_FALSE(expired.SessionValid(expired.NewSession()));
  SessionAuth capped("t", 3600, /*max_sessions=*/2);
  const std::string first = capped.NewSession();
  capped.NewSession();
  capped.NewSession();
  EXPECT_FALSE(capped.SessionValid(first));  // the oldest went
}

TEST(SessionAuthTest, CookieValue) {
  EXPECT_EQ(SessionAuth::CookieValue("a=1; b=2", "b"), "2");
  EXPECT_EQ(SessionAuth::CookieValue("a=1;b=2", "a"), "1");
  EXPECT_EQ(SessionAuth::CookieValue("ab=1", "a"), "");
  EXPECT_EQ(SessionAuth::CookieValue("", "a"), "");
}

TEST(SafeNameTest, RefusesWhatCouldLeaveTheFolder) {
  EXPECT_TRUE(IsSafeName("exp_1.v2-a"));
  for (const char* bad : {"", ".", "..", "../etc", "a/b", ".hidden", "a b", "a%2f", "a\\b"}) {
    EXPECT_FALSE(IsSafeName(bad)) << bad;
  }
  EXPECT_FALSE(IsSafeName(std::string(129, 'a')));
}

}  // namespace
}  // namespace scaleml::dashboard
