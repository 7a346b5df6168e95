// Long C++ work (a fit, a long prediction) that Ctrl-C can stop. The work runs on the calling
// thread with the GIL released, as the command line runs it: OpenMP keeps one thread team per
// calling thread, and a second team (a fit on a thread of its own next to the team of the
// caller's predictions and input scans) makes libgomp count more threads than cores and throttle
// its spin-wait, which cost a gbdt fit 17% against the command line's.
// On the main thread, Python's C signal handler also writes each signal's number to a pipe of
// ours (the wakeup fd, as signal.set_wakeup_fd sets it, restored afterwards); a watcher thread
// sets `cancel` on SIGINT when Python's handler for it is the default one (which raises
// KeyboardInterrupt), and the algorithm stops at its next round or tree
// (Classifier::set_cancel_flag). Once the work has ended, the pending handlers run
// (PyErr_CheckSignals) and a handler's exception is raised instead of the work's outcome.
// Elsewhere than the main thread no signal handler runs, and the work just runs.
// Thread-safety: call with the GIL held; `work` must not touch Python objects.
#pragma once

#include <atomic>
#include <functional>

namespace scaleml {

void RunInterruptibly(const std::function<void()>& work, std::atomic<bool>& cancel);

}  // namespace scaleml
