// Base64 (RFC 4648 4) and hex decoding for presentation-format DNSSEC fields (DNSKEY public
// keys, DS digests) in trust anchor files. Whitespace inside the text is skipped, as the
// master-file format allows a key to be split across tokens.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rootd::zone {

// Strict base64: the alphabet of RFC 4648 4, '=' padding only at the end and only as
// needed to complete the last quantum; unpadded input is accepted (the final quantum then
// must be 2 or 3 characters).
absl::StatusOr<std::string> Base64Decode(std::string_view text);
// Hex digits in either case, an even number of them.
absl::StatusOr<std::string> HexDecode(std::string_view text);

// The same decoders, fed piece by piece, for a text split across master-file tokens: Add()
// fails at the first piece that cannot continue a valid text (so the caller can name that
// token), Finish() checks the end. Decoded octets are appended to `*out`, which the caller owns.
class Base64Decoder {
 public:
  // Master files (RFC 4034 2.2) carry padded base64; trust anchor files are accepted either way.
  enum class Padding { kOptional, kRequired };
  explicit Base64Decoder(std::string* out, Padding padding = Padding::kOptional) : out_(out), padding_(padding) {}
  absl::Status Add(std::string_view text);
  absl::Status Finish();

 private:
  std::string* out_;
  Padding padding_;
  uint32_t acc_ = 0;
  int chars_ = 0;         // characters in the current quantum
  int padding_seen_ = 0;  // '=' seen
};

class HexDecoder {
 public:
  explicit HexDecoder(std::string* out) : out_(out) {}
  absl::Status Add(std::string_view text);
  absl::Status Finish();

 private:
  std::string* out_;
  int high_ = -1;  // first digit of an unfinished octet
};

// Uppercase hex, as DS digests are usually printed.
std::string HexEncode(std::string_view bytes);
// Base64 with padding, no line breaks (DNSKEY keys, RRSIG signatures in presentation form).
std::string Base64Encode(std::string_view bytes);

}  // namespace rootd::zone
