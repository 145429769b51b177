// ZONEMD verification (RFC 8976 4): the apex ZONEMD records whose serial matches the SOA and
// whose scheme and hash we support are recomputed; one match verifies the zone.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zone/zone.h"

namespace rootd::zone {

enum class ZonemdStatus {
  kAbsent,       // no ZONEMD at the apex
  kVerified,     // a supported ZONEMD matches
  kMismatch,     // supported ZONEMD records exist, none matches (or serial differs)
  kUnsupported,  // only schemes/hashes we cannot compute
};
std::string_view ZonemdStatusName(ZonemdStatus status);

struct ZonemdReport {
  ZonemdStatus status = ZonemdStatus::kAbsent;
  uint8_t hash_algorithm = 0;  // the one that verified
  std::vector<std::string> problems;
  std::string ToString() const;  // "absent", "verified (SHA-384)", "mismatch", "unsupported"
};

ZonemdReport CheckZonemd(const Zone& zone);

}  // namespace rootd::zone
