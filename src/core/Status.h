// A success-or-error value for paths where failure is expected (the network, peers, workers).
// Thread-safety: immutable value.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace scaleml {

// What kind of failure a Status holds, so callers branch on codes, never on message text.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kFailed,    // anything not below
  kTimeout,   // a deadline passed
  kPeerLost,  // the other side closed or reset the connection
  kRefused,   // nobody listens there
  kDenied,    // the peer would not have us, or we would not have it (authentication)
  kInvalid,   // the peer sent bytes that break the protocol
  kInUse,     // the address or port asked for is taken
};

class [[nodiscard]] Status {
 public:
  static Status Ok() { return Status(); }
  static Status Fail(std::string message) {
    return Status(StatusCode::kFailed, std::move(message));
  }
  static Status Fail(StatusCode code, std::string message) {
    return Status(code == StatusCode::kOk ? StatusCode::kFailed : code, std::move(message));
  }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace scaleml
