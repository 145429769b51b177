// Presentation format (RFC 1035 5.1 and each type's RFC) of the records rootd writes: the
// lab zone generator and signing tools print their output with this. Types without a
// dedicated formatter use the RFC 3597 generic form, so every record prints and re-reads.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "zone/zone.h"

namespace rootd::zone {

// "owner TTL IN TYPE RDATA", no trailing newline. Names keep their case.
std::string RecordToText(const Record& record);
// The RDATA part alone.
std::string RdataToText(uint16_t type, std::string_view rdata);

// RRSIG time field, YYYYMMDDHHmmSS in UTC (RFC 4034 3.2).
std::string RrsigTimeToText(uint32_t seconds);

}  // namespace rootd::zone
