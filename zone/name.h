// Domain names in uncompressed wire format (RFC 1035 3.1), held in std::string.
// The root name is the single byte 0x00.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rootd::zone {

inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxLabelLength = 63;

// ASCII lowercase of one byte; DNS case folding is ASCII only (RFC 4343).
inline constexpr uint8_t LowerByte(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// The name with every label lowercased (the canonical form of RFC 4034 6.2).
std::string LowerName(std::string_view wire);

// Number of labels, not counting the root label ("." is 0, "com." is 1).
int LabelCount(std::string_view wire);

// Canonical DNS name order (RFC 4034 6.1): -1, 0 or 1. Case-insensitive.
int CanonicalCompare(std::string_view a, std::string_view b);

// A byte string whose order (as std::string compares) is the canonical order of the names:
// CanonicalSortKey(a) < CanonicalSortKey(b) exactly when CanonicalCompare(a, b) < 0, equal
// keys for names equal ignoring case. The labels rightmost first, lowercased, each ended by
// 0x00 (octets 0x00 and 0x01 inside a label are written 0x01 0x01 and 0x01 0x02). For sorting
// many names: one key per name, then plain string comparisons.
std::string CanonicalSortKey(std::string_view wire);

// True if `name` equals `ancestor` or lies below it. Case-insensitive.
bool IsSubdomainOf(std::string_view name, std::string_view ancestor);

// The last `n` labels of `name` (n = 0 gives the root name).
std::string_view NameSuffix(std::string_view name, int n);

// Presentation format, fully qualified ("." for the root, "com." ...), escaping as RFC 1035 5.1.
std::string NameToText(std::string_view wire);

// Parses presentation format; a name not ending in '.' is relative to `origin` (wire).
absl::StatusOr<std::string> NameFromText(std::string_view text, std::string_view origin);

}  // namespace rootd::zone
