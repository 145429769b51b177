// The clock the benchmarks' ratios are timed with: this thread's CPU time. The machines are
// shared, and the wall clock would also count the time other processes held the core, which
// lands on one run of a ratio and not the other.
#pragma once
#include <time.h>

namespace rootd::bench {

inline double ThreadCpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

}  // namespace rootd::bench
