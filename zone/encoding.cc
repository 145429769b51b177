#include "zone/encoding.h"

#include <openssl/evp.h>

#include <cstdint>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int chars = 0;    // characters in the current quantum
  int padding = 0;  // '=' seen
  for (char c : text) {
    if (IsSpace(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return absl::InvalidArgumentError("base64: data after '=' padding");
    const int v = Base64Value(c);
    if (v < 0) return absl::InvalidArgumentError(Cat("base64: bad character '", c, "'"));
    acc = acc << 6 | static_cast<uint32_t>(v);
    if (++chars == 4) {
      out += static_cast<char>(acc >> 16);
      out += static_cast<char>(acc >> 8 & 0xff);
      out += static_cast<char>(acc & 0xff);
      acc = 0;
      chars = 0;
    }
  }
  // A final quantum of 2 or 3 characters carries 1 or 2 octets; its unused low bits must be 0
  // so that each text has exactly one decoding.
  switch (chars) {
    case 0:
      if (padding != 0) return absl::InvalidArgumentError("base64: padding without a partial quantum");
      break;
    case 2:
      if (padding != 0 && padding != 2) return absl::InvalidArgumentError("base64: wrong padding");
      if (acc & 0xf) return absl::InvalidArgumentError("base64: nonzero trailing bits");
      out += static_cast<char>(acc >> 4);
      break;
    case 3:
      if (padding != 0 && padding != 1) return absl::InvalidArgumentError("base64: wrong padding");
      if (acc & 0x3) return absl::InvalidArgumentError("base64: nonzero trailing bits");
      out += static_cast<char>(acc >> 10);
      out += static_cast<char>(acc >> 2 & 0xff);
      break;
    default:
      return absl::InvalidArgumentError("base64: truncated quantum");
  }
  return out;
}

absl::StatusOr<std::string> HexDecode(std::string_view text) {
  std::string out;
  int high = -1;
  for (char c : text) {
    if (IsSpace(c)) continue;
    const int v = HexValue(c);
    if (v < 0) return absl::InvalidArgumentError(Cat("hex: bad character '", c, "'"));
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high << 4 | v);
      high = -1;
    }
  }
  if (high >= 0) return absl::InvalidArgumentError("hex: odd number of digits");
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace rootd::zone
