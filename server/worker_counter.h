// Counters with one writer (the worker that owns them) and any number of readers.
#pragma once
#include <atomic>
#include <cstdint>

namespace rootd::server {

// A counter of one worker, bumped by that worker only: a load and a store, no locked
// instruction on the query path.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace rootd::server
