#include "InterruptibleRun.h"

#include <fcntl.h>
#include <pybind11/pybind11.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace py = pybind11;

namespace scaleml {
namespace {

bool OnMainThread() {
  py::module_ threading = py::module_::import("threading");
  return threading.attr("main_thread")().attr("ident").cast<long>() ==
         threading.attr("get_ident")().cast<long>();
}

// Whether Python's SIGINT handler is the one that raises KeyboardInterrupt (a program that set
// its own handler gets it called after the work, which then runs to its end).
bool SigintRaisesKeyboardInterrupt() {
  py::module_ signal = py::module_::import("signal");
  return signal.attr("getsignal")(SIGINT).is(signal.attr("default_int_handler"));
}

// signal.set_wakeup_fd (the C API's PySignal_SetWakeupFd is not exported by Debian's python3).
int SetWakeupFd(int fd) {
  return py::module_::import("signal").attr("set_wakeup_fd")(fd).cast<int>();
}

// The signals that arrive while it lives, seen through the wakeup fd (see the header). Built and
// stopped with the GIL held on the main thread.
class SignalWatch {
 public:
  SignalWatch(std::atomic<bool>& cancel, bool cancel_on_sigint) {
    if (pipe2(fds_, O_CLOEXEC) != 0) return;  // no pipe: Ctrl-C waits for the work's end
    fcntl(fds_[1], F_SETFL, O_NONBLOCK);      // the signal handler must never block
    try {
      old_fd_ = SetWakeupFd(fds_[1]);
    } catch (...) {
      close(fds_[0]);
      close(fds_[1]);
      throw;
    }
    watcher_ = std::thread([this, &cancel, cancel_on_sigint] {
      unsigned char byte = 0;
      for (;;) {
        const ssize_t n = read(fds_[0], &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || byte == kStop) return;
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(byte);
        if (byte == SIGINT && cancel_on_sigint) cancel.store(true);
      }
    });
  }

  // Gives the wakeup fd back, with the numbers of the signals that arrived meanwhile (an event
  // loop waiting on it learns of them as if it had been there).
  ~SignalWatch() {
    if (!watcher_.joinable()) return;
    try {
      SetWakeupFd(old_fd_);
    } catch (py::error_already_set&) {  // the program's fd was closed meanwhile by a thread
      old_fd_ = -1;
      SetWakeupFd(-1);
    }
    const unsigned char stop = kStop;
    while (write(fds_[1], &stop, 1) < 0 && errno == EINTR) {
    }
    watcher_.join();
    close(fds_[0]);
    close(fds_[1]);
    if (old_fd_ >= 0 && !received_.empty()) {
      [[maybe_unused]] const ssize_t written = write(old_fd_, received_.data(), received_.size());
    }
  }

  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  static constexpr unsigned char kStop = 0;  // no signal has number 0
  int fds_[2] = {-1, -1};
  int old_fd_ = -1;
  std::thread watcher_;
  std::mutex mutex_;
  std::vector<unsigned char> received_;
};

}  // namespace

void RunInterruptibly(const std::function<void()>& work, std::atomic<bool>& cancel) {
  std::exception_ptr failure;
  {
    std::optional<SignalWatch> watch;
    if (OnMainThread()) watch.emplace(cancel, SigintRaisesKeyboardInterrupt());
    py::gil_scoped_release release;
    try {
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // KeyboardInterrupt on SIGINT
  if (failure) std::rethrow_exception(failure);
}

}  // namespace scaleml
