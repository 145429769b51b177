// The NSEC chain of a zone (RFC 4034 4, RFC 4035 2.3): one NSEC per authoritative name and
// delegation point in canonical order, the last pointing back to the apex.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "zone/zone.h"

namespace rootd::zone {

// NSEC records for `zone` with `ttl` (the SOA minimum, RFC 4035 2.3). Glue below delegations
// is skipped. The type bitmap is the types at the name plus RRSIG and NSEC; at a delegation
// only NS, DS (if present), RRSIG and NSEC. Existing NSEC and RRSIG records in `zone` are
// disregarded, so the chain can be rebuilt from a signed zone.
std::vector<Record> BuildNsecChain(const Zone& zone, uint32_t ttl);

}  // namespace rootd::zone
