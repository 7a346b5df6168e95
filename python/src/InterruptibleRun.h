// Long C++ work (a fit) that Ctrl-C can stop: the work runs on a thread of its own with the GIL
// released while the calling thread, every 50 ms, takes the GIL and lets Python run its signal
// handlers (PyErr_CheckSignals). When a handler raises (KeyboardInterrupt on SIGINT), `cancel` is
// set, the algorithm stops at its next round or tree (Classifier::set_cancel_flag), and once the
// work has ended the handler's exception is raised here instead of the work's outcome.
// Thread-safety: call with the GIL held; `work` must not touch Python objects.
#pragma once

#include <atomic>
#include <functional>

namespace scaleml {

void RunInterruptibly(const std::function<void()>& work, std::atomic<bool>& cancel);

}  // namespace scaleml
