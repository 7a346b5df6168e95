// A success-or-error value for paths where failure is expected (the network, peers, workers).
// Thread-safety: immutable value.
#pragma once

#include <string>
#include <utility>

namespace scaleml {

class [[nodiscard]] Status {
 public:
  static Status Ok() { return Status(); }
  static Status Fail(std::string message) { return Status(std::move(message)); }
  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

}  // namespace scaleml
