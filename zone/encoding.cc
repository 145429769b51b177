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

absl::Status Base64Decoder::Add(std::string_view text) {
  for (char c : text) {
    if (IsSpace(c)) continue;
    if (c == '=') {
      if (++padding_seen_ > 2) return absl::InvalidArgumentError("base64: too much '=' padding");
      continue;
    }
    if (padding_seen_ > 0) return absl::InvalidArgumentError("base64: data after '=' padding");
    const int v = Base64Value(c);
    if (v < 0) return absl::InvalidArgumentError(Cat("base64: bad character '", c, "'"));
    acc_ = acc_ << 6 | static_cast<uint32_t>(v);
    if (++chars_ == 4) {
      *out_ += static_cast<char>(acc_ >> 16);
      *out_ += static_cast<char>(acc_ >> 8 & 0xff);
      *out_ += static_cast<char>(acc_ & 0xff);
      acc_ = 0;
      chars_ = 0;
    }
  }
  return absl::OkStatus();
}

absl::Status Base64Decoder::Finish() {
  // A final quantum of 2 or 3 characters carries 1 or 2 octets; its unused low bits must be 0
  // so that each text has exactly one decoding.
  const bool unpadded_ok = padding_ == Padding::kOptional && padding_seen_ == 0;
  switch (chars_) {
    case 0:
      if (padding_seen_ != 0) return absl::InvalidArgumentError("base64: padding without a partial quantum");
      break;
    case 2:
      if (padding_seen_ != 2 && !unpadded_ok) return absl::InvalidArgumentError("base64: wrong padding");
      if (acc_ & 0xf) return absl::InvalidArgumentError("base64: nonzero trailing bits");
      *out_ += static_cast<char>(acc_ >> 4);
      break;
    case 3:
      if (padding_seen_ != 1 && !unpadded_ok) return absl::InvalidArgumentError("base64: wrong padding");
      if (acc_ & 0x3) return absl::InvalidArgumentError("base64: nonzero trailing bits");
      *out_ += static_cast<char>(acc_ >> 10);
      *out_ += static_cast<char>(acc_ >> 2 & 0xff);
      break;
    default:
      return absl::InvalidArgumentError("base64: truncated quantum");
  }
  acc_ = 0;
  chars_ = 0;
  padding_seen_ = 0;
  return absl::OkStatus();
}

absl::Status HexDecoder::Add(std::string_view text) {
  for (char c : text) {
    if (IsSpace(c)) continue;
    const int v = HexValue(c);
    if (v < 0) return absl::InvalidArgumentError(Cat("hex: bad character '", c, "'"));
    if (high_ < 0) {
      high_ = v;
    } else {
      *out_ += static_cast<char>(high_ << 4 | v);
      high_ = -1;
    }
  }
  return absl::OkStatus();
}

absl::Status HexDecoder::Finish() {
  if (high_ >= 0) return absl::InvalidArgumentError("hex: odd number of digits");
  return absl::OkStatus();
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  Base64Decoder decoder(&out);
  if (absl::Status s = decoder.Add(text); !s.ok()) return s;
  if (absl::Status s = decoder.Finish(); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> HexDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 2);
  HexDecoder decoder(&out);
  if (absl::Status s = decoder.Add(text); !s.ok()) return s;
  if (absl::Status s = decoder.Finish(); !s.ok()) return s;
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
