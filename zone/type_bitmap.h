// The NSEC type bit maps field (RFC 4034 4.1.2): one window per used high octet of the type
// number, each as long as its last non-zero octet. The one codec for the reader, the
// verifier, the signer and the printer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rootd::zone {

// Types in any order, duplicates allowed; the empty list gives the empty field.
std::string EncodeTypeBitmap(std::vector<uint16_t> types);

// The types listed, ascending. Rejects unordered or repeated windows, lengths outside 1..32,
// truncation, and trailing zero octets (which the RFC forbids).
absl::StatusOr<std::vector<uint16_t>> DecodeTypeBitmap(std::string_view bitmap);

}  // namespace rootd::zone
