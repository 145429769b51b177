// Big-endian (network order) 16- and 32-bit fields of DNS wire data held in std::string.
// Reads take the field's offset and do no bounds checking: callers check lengths first.
// Used by zone/ only; server/engine.cc keeps its own raw-pointer versions on the query path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rootd::zone {

inline uint16_t Get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]));
}

inline uint32_t Get32(std::string_view s, size_t at) {
  return uint32_t{Get16(s, at)} << 16 | Get16(s, at + 2);
}

// Appends `v` to `out`.
inline void Put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

inline void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

// Overwrites the two octets at `at` (a length filled in after what it counts).
inline void Set16(std::string& s, size_t at, uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xff);
}

}  // namespace rootd::zone
