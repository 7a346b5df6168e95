#include "core/Threads.h"

#include <omp.h>
#include <sched.h>

#include <thread>

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
  if (threads <= 0) threads = HardwareThreads();
  omp_set_num_threads(threads);
  return threads;
}

int GetThreads() { return omp_get_max_threads(); }

}  // namespace scaleml
