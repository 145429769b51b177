// HyperLogLog (Flajolet et al., 2007) over 2^kBits one-octet registers, for counting distinct
// sources: standard error 1.04/sqrt(2^kBits). One writer (the worker that owns it), relaxed
// atomics so that readers may merge registers while it counts; merging is a register-wise max.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>

namespace rootd::server {

// splitmix64's finaliser: 64 well-mixed bits from any 64 in a few cycles, what Add() needs.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <int kBits>
class HyperLogLog {
 public:
  static constexpr int kRegisters = 1 << kBits;
  using Registers = std::array<uint8_t, kRegisters>;

  // `hash`: 64 well-mixed bits.
  void Add(uint64_t hash) {
    const size_t index = hash >> (64 - kBits);
    // The rank of the first one bit after the index is the count of zeros before it + 1; the
    // bit set below stops it at 64 - kBits + 1 when the rest is all zeros, without a branch.
    // Compared as zeros >= register, the + 1 is paid only when a register grows.
    const uint64_t rest = hash << kBits | uint64_t{1} << (kBits - 1);
    const int zeros = std::countl_zero(rest);
    std::atomic<uint8_t>& reg = registers_[index];
    if (zeros >= reg.load(std::memory_order_relaxed)) reg.store(static_cast<uint8_t>(zeros + 1), std::memory_order_relaxed);
  }
  void MaxInto(Registers* merged) const {
    for (int i = 0; i < kRegisters; ++i) {
      (*merged)[i] = std::max((*merged)[i], registers_[i].load(std::memory_order_relaxed));
    }
  }
  // By its one writer only.
  void Clear() {
    for (auto& reg : registers_) reg.store(0, std::memory_order_relaxed);
  }

  // With the paper's linear-counting correction for small cardinalities.
  static uint64_t Estimate(const Registers& registers) {
    constexpr double m = kRegisters;
    double sum = 0;
    int zeros = 0;
    for (uint8_t r : registers) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);
    return static_cast<uint64_t>(std::llround(estimate));
  }

 private:
  std::array<std::atomic<uint8_t>, kRegisters> registers_ = {};
};

}  // namespace rootd::server
