// rootd's clock: real time, or for labs a settable one (`--clock START`, `rootctl clock set
// TIME`) that starts at START and runs at real speed. Zone verification and the choice of the
// signature bundle to serve read it, so a lab can stand at any moment of a rollover (the
// 2017 zone at 2017-08-25) or jump from bundle to bundle without waiting ten days.
#pragma once
#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace rootd::server {

class LabClock {
 public:
  // Real time until Set().
  LabClock() = default;

  absl::Time Now() const { return At(absl::Now()); }
  // What the clock read (or will read) at real time `real`.
  absl::Time At(absl::Time real) const { return real + absl::Nanoseconds(offset_ns_.load(std::memory_order_relaxed)); }
  // From now on Now() runs on from `t`.
  void Set(absl::Time t) { offset_ns_.store(absl::ToInt64Nanoseconds(t - absl::Now()), std::memory_order_relaxed); }
  bool is_set() const { return offset_ns_.load(std::memory_order_relaxed) != 0; }

  // The real time at which Now() will read `t` (for timers, which run on real time).
  absl::Time RealTimeAt(absl::Time t) const { return t - absl::Nanoseconds(offset_ns_.load(std::memory_order_relaxed)); }

 private:
  std::atomic<int64_t> offset_ns_{0};  // Now() - real time
};

}  // namespace rootd::server
