// Errors carrying context. Thread-safety: immutable values, safe to share.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace scaleml {

// Concatenates streamable values; the one formatting helper errors and logs use.
template <class... Args>
std::string StrCat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}

// The project's exception. The CLI catches it once, prints what() on one line and exits with
// ExitCode(): 2 for bad input or usage (the user can fix it), 1 for failures.
class Error : public std::runtime_error {
 public:
  enum class Kind { kInput, kFailure };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  int ExitCode() const { return kind_ == Kind::kInput ? 2 : 1; }

 private:
  Kind kind_;
};

// Bad input: a file, a flag, a parameter or a model that the user can fix.
template <class... Args>
Error InputError(Args&&... args) {
  return Error(Error::Kind::kInput, StrCat(std::forward<Args>(args)...));
}

// Something failed that is not the input's fault: I/O, a lost peer, a crashed worker.
template <class... Args>
Error Failure(Args&&... args) {
  return Error(Error::Kind::kFailure, StrCat(std::forward<Args>(args)...));
}

}  // namespace scaleml
