#include "core/Threads.h"

#include <omp.h>
#include <sched.h>

#include <thread>

#include "core/Error.h"

namespace scaleml {

int HardwareThreads() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

int SetThreads(int threads) {
  if (threads > kMaxThreads) {
    throw InputError("thread count ", threads, " is more than ", kMaxThreads,
                     " (--threads, OMP_NUM_THREADS): give at most ", kMaxThreads,
                     ", or 0 for all cores");
  }
  if (threads <= 0) threads = HardwareThreads();
  omp_set_num_threads(threads);
  return threads;
}

int GetThreads() { return omp_get_max_threads(); }

}  // namespace scaleml
