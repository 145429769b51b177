// Reads a DNS master file (RFC 1035 5, RFC 3597 generic RDATA) into a Zone.
// Errors name the file, the line and the reason: "root.zone:1234: bad TTL 'x'".
#pragma once
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "zone/zone.h"

namespace rootd::zone {

struct ReadOptions {
  std::string origin = std::string(1, '\0');  // initial $ORIGIN, wire format
  uint32_t default_ttl = 3600;                // TTL before any $TTL or explicit TTL
};

// Parses the file (with $ORIGIN, $TTL, $INCLUDE relative to the including file's folder,
// comments, parentheses, quoted strings, RFC 3597 \# RDATA).
absl::StatusOr<Zone> ReadMasterFile(const std::string& path, const ReadOptions& options = {});
// The same from text in memory; `name` stands for the file in messages; $INCLUDE paths are
// relative to the current directory.
absl::StatusOr<Zone> ReadMasterText(std::string_view text, const std::string& name, const ReadOptions& options = {});

// Checks that the zone is a root zone: exactly one SOA, owned by ".", class IN everywhere.
// The error names the offending record and its location.
absl::Status CheckRootZoneShape(const Zone& zone);

}  // namespace rootd::zone
