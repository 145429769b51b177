#include "zone/type_bitmap.h"

#include <algorithm>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::zone {

std::string EncodeTypeBitmap(std::vector<uint16_t> types) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  std::string out;
  size_t i = 0;
  while (i < types.size()) {
    const int window = types[i] >> 8;
    uint8_t octets[32] = {};
    size_t len = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const int low = types[i] & 0xff;
      octets[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
      len = static_cast<size_t>(low / 8 + 1);
    }
    out += static_cast<char>(window);
    out += static_cast<char>(len);
    out.append(reinterpret_cast<const char*>(octets), len);
  }
  return out;
}

absl::StatusOr<std::vector<uint16_t>> DecodeTypeBitmap(std::string_view bitmap) {
  std::vector<uint16_t> types;
  size_t i = 0;
  int last_window = -1;
  while (i < bitmap.size()) {
    if (i + 2 > bitmap.size()) return absl::InvalidArgumentError("type bitmap truncated");
    const int window = static_cast<uint8_t>(bitmap[i]);
    const size_t len = static_cast<uint8_t>(bitmap[i + 1]);
    if (window <= last_window) return absl::InvalidArgumentError(Cat("type bitmap window ", window, " out of order"));
    if (len < 1 || len > 32) return absl::InvalidArgumentError(Cat("type bitmap window ", window, " length ", len));
    if (i + 2 + len > bitmap.size()) return absl::InvalidArgumentError("type bitmap truncated");
    if (bitmap[i + 2 + len - 1] == 0) {
      return absl::InvalidArgumentError(Cat("type bitmap window ", window, " has trailing zero octets"));
    }
    for (size_t b = 0; b < len; ++b) {
      const auto octet = static_cast<uint8_t>(bitmap[i + 2 + b]);
      for (int bit = 0; bit < 8; ++bit) {
        if (octet & (0x80 >> bit)) types.push_back(static_cast<uint16_t>(window * 256 + b * 8 + bit));
      }
    }
    last_window = window;
    i += 2 + len;
  }
  return types;
}

}  // namespace rootd::zone
