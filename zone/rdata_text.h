// Presentation-format fields of master files to wire format: names, TTLs, type and class
// mnemonics, and the RDATA of a record (native encoders for the types of a root zone and
// common lab types, RFC 3597 generic RDATA, ldns for every other type ldns knows).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "zone/master_lexer.h"

namespace rootd::zone {

// Appends the wire form of the presentation name `text` to `out`; a name not ending in '.'
// is relative to `origin` (wire), "@" is the origin. On failure returns the reason (a
// static string) and leaves `out` in an unspecified state.
const char* AppendNameFromText(std::string_view text, std::string_view origin, std::string& out);

// A TTL in seconds: plain ("3600") or with units ("1h30m", "2w"), at most 2^32-1.
std::optional<uint32_t> ParseTtl(std::string_view text);

// A type mnemonic ("NS", case-insensitive) or "TYPE<n>" (RFC 3597).
std::optional<uint16_t> ParseType(std::string_view text);

// A class mnemonic (IN, CH, HS, CS) or "CLASS<n>".
std::optional<uint16_t> ParseClass(std::string_view text);

// The record being read, for RDATA encoding and its messages.
struct RdataSource {
  std::string_view file;
  uint32_t line = 0;         // where the record starts
  std::string_view origin;   // wire, for relative names
  uint16_t type = 0;
  std::span<const Token> tokens;  // the RDATA fields
};

// Appends the RDATA of `source` in wire format (names uncompressed, case kept) to `out`.
absl::Status EncodeRdata(const RdataSource& source, std::string& out);

}  // namespace rootd::zone
