// Base64 (RFC 4648 4) and hex decoding for presentation-format DNSSEC fields (DNSKEY public
// keys, DS digests) in trust anchor files. Whitespace inside the text is skipped, as the
// master-file format allows a key to be split across tokens.
#pragma once
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rootd::zone {

// Strict base64: the alphabet of RFC 4648 4, '=' padding only at the end and only as
// needed to complete the last quantum; unpadded input is accepted (the final quantum then
// must be 2 or 3 characters).
absl::StatusOr<std::string> Base64Decode(std::string_view text);
// Hex digits in either case, an even number of them.
absl::StatusOr<std::string> HexDecode(std::string_view text);
// Uppercase hex, as DS digests are usually printed.
std::string HexEncode(std::string_view bytes);
// Base64 with padding, no line breaks (DNSKEY keys, RRSIG signatures in presentation form).
std::string Base64Encode(std::string_view bytes);

}  // namespace rootd::zone
