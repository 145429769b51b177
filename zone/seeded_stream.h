// A deterministic byte stream derived from a seed: SHA-256 in counter mode over
// seed | 0x00 | label | counter. The lab zone generator draws keys and content from it so
// that the same seed always gives the same zone; the label separates independent uses (the
// KSK, the ZSK, TLD names ...) so adding a draw to one does not shift the others.
// Not a CSPRNG for production keys: the seed is the whole secret.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rootd::zone {

class SeededStream {
 public:
  SeededStream(std::string_view seed, std::string_view label);

  void Fill(uint8_t* out, size_t n);
  std::string Bytes(size_t n);
  uint64_t Next64();
  // Uniform in [0, bound) for bound > 0, without modulo bias.
  uint64_t Below(uint64_t bound);
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1)); }
  // True with probability `percent`/100.
  bool Percent(int percent) { return Below(100) < static_cast<uint64_t>(percent); }

 private:
  void Refill();

  std::string prefix_;  // seed | 0x00 | label
  uint64_t counter_ = 0;
  std::array<uint8_t, 32> block_{};
  size_t used_ = sizeof(block_);
};

// The seed bytes for a numeric seed (big-endian), so callers with a uint64_t seed and callers
// with a passphrase share one derivation.
std::string SeedBytes(uint64_t seed);

}  // namespace rootd::zone
