// libFuzzer target for the Knot SignedKeyResponse reader (zone::ParseKnotSkr, over the master-file
// reader): arbitrary bytes in as the file; what it accepts must hold together (skr_fuzz_checks.h)
// and survive skrtool show/verify.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/skr_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rootd::fuzz::CheckAcceptedSkr(rootd::zone::ParseKnotSkr(text, "fuzz.txt"));
  return 0;
}
