// What the dataplane benchmarks measure against: a plain reflector's work on a frame (timed,
// like them, with thread_cpu.h's clock).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bench/thread_cpu.h"

namespace rootd::bench {

// Swaps the `N` octets at `a` and at `b` (header fields, unaligned).
template <size_t N>
void SwapOctets(uint8_t* a, uint8_t* b) {
  uint8_t t[N];
  std::memcpy(t, a, N);
  std::memcpy(a, b, N);
  std::memcpy(b, t, N);
}

// An untagged Ethernet frame with IPv4 (no options) or IPv6 (no extension headers) and UDP,
// turned back to its sender in place: MACs, addresses and ports swapped; nothing checked,
// no length or checksum touched (a swap leaves the UDP checksum valid).
inline void Reflect(uint8_t* frame, bool ipv6) {
  constexpr size_t l3 = 14;
  const size_t udp = l3 + (ipv6 ? 40 : 20);
  SwapOctets<6>(frame, frame + 6);
  if (ipv6) {
    SwapOctets<16>(frame + l3 + 8, frame + l3 + 24);
  } else {
    SwapOctets<4>(frame + l3 + 12, frame + l3 + 16);
  }
  SwapOctets<2>(frame + udp, frame + udp + 2);
}

}  // namespace rootd::bench
