// Temporary files removed when SIGINT, SIGTERM or SIGHUP ends the process: an interrupted
// `generate` must not leave a FILE.csv.tmp.PID of hundreds of megabytes behind. A writer
// (AtomicFile) registers its temporary path for as long as the file may exist; the first
// registration installs a handler for those signals (only where a signal still has its default
// action: a signal that is ignored, e.g. SIGHUP under nohup, or handled by the program, e.g. a
// node agent's graceful SIGTERM, is left alone). The handler unlinks every registered path, then
// restores the default action and raises the signal again, so the process still dies of it
// (exit status 128 + signal for the shell).
//
// The registry is process-wide by necessity: a signal handler can only reach static storage. It
// is a fixed table of slots (no allocation, no locks) so that the handler does nothing that is not
// async-signal-safe. Paths longer than a slot, or registered while every slot is taken, are simply
// not cleaned up on a signal (normal exits still remove them).
// Thread-safety: registration and release are safe from any thread.
#pragma once

#include <string>

namespace scaleml {

class TemporaryFileRegistration {
 public:
  TemporaryFileRegistration() = default;
  explicit TemporaryFileRegistration(const std::string& path);
  ~TemporaryFileRegistration() { Release(); }
  TemporaryFileRegistration(TemporaryFileRegistration&& other) noexcept;
  TemporaryFileRegistration& operator=(TemporaryFileRegistration&& other) noexcept;
  TemporaryFileRegistration(const TemporaryFileRegistration&) = delete;
  TemporaryFileRegistration& operator=(const TemporaryFileRegistration&) = delete;

  // Forgets the path (call after the file was renamed away or removed).
  void Release();
  bool registered() const { return slot_ >= 0; }

 private:
  int slot_ = -1;
};

}  // namespace scaleml
