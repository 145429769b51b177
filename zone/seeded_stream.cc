#include "zone/seeded_stream.h"

#include <openssl/sha.h>

#include <algorithm>

namespace rootd::zone {

SeededStream::SeededStream(std::string_view seed, std::string_view label) {
  prefix_.append(seed);
  prefix_ += '\0';
  prefix_.append(label);
}

void SeededStream::Refill() {
  std::string input = prefix_;
  for (int shift = 56; shift >= 0; shift -= 8) input += static_cast<char>((counter_ >> shift) & 0xff);
  ++counter_;
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), block_.data());
  used_ = 0;
}

void SeededStream::Fill(uint8_t* out, size_t n) {
  while (n > 0) {
    if (used_ == block_.size()) Refill();
    const size_t take = std::min(n, block_.size() - used_);
    std::copy_n(block_.begin() + used_, take, out);
    used_ += take;
    out += take;
    n -= take;
  }
}

std::string SeededStream::Bytes(size_t n) {
  std::string out(n, '\0');
  Fill(reinterpret_cast<uint8_t*>(out.data()), n);
  return out;
}

uint64_t SeededStream::Next64() {
  uint8_t b[8];
  Fill(b, sizeof b);
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

uint64_t SeededStream::Below(uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the top partial range so every value is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t v;
  do {
    v = Next64();
  } while (v >= limit);
  return v % bound;
}

std::string SeedBytes(uint64_t seed) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((seed >> shift) & 0xff);
  return out;
}

}  // namespace rootd::zone
