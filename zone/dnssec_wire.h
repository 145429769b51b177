// DNSSEC wire computations shared by verification, signing and the lab zone generator:
// key tags, DS digests, the data an RRSIG covers, ZONEMD digests. Pure functions, no keys.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/zone.h"

namespace rootd::zone {

// Key tag of a DNSKEY RDATA (RFC 4034 Appendix B; every algorithm but 1).
uint16_t KeyTag(std::string_view dnskey_rdata);
uint16_t DnskeyFlags(std::string_view dnskey_rdata);
uint8_t DnskeyAlgorithm(std::string_view dnskey_rdata);
std::string_view DnskeyPublicKey(std::string_view dnskey_rdata);

// Digest of owner | DNSKEY RDATA (RFC 4034 5.1.4) for DS digest type 1, 2 or 4.
absl::StatusOr<std::string> DsDigest(std::string_view owner, std::string_view dnskey_rdata, uint8_t digest_type);

struct RrsigFields {
  uint16_t type_covered = 0;
  uint8_t algorithm = 0;
  uint8_t labels = 0;
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
  std::string signer;           // wire, as in the RDATA
  std::string_view prefix;      // RDATA up to (excluding) the signature: what is signed first
  std::string_view signature;
};
// Splits RRSIG RDATA; views point into `rdata`.
absl::StatusOr<RrsigFields> ParseRrsig(std::string_view rdata);

// The octets an RRSIG signs (RFC 4034 3.1.8.1, 6.2, 6.3): the RRSIG RDATA without signature,
// then every RR of the set in canonical form and order, with the original TTL, duplicates
// removed, the owner replaced by "*.<closest labels>" when `labels` is smaller than its count.
std::string SignedData(const RrsigFields& rrsig, std::string_view owner, uint16_t type, uint16_t rclass,
                       const std::vector<std::string_view>& rdatas);

// An RRset in canonical form and order (RFC 4034 6.2, 6.3): per distinct RR, sorted by canonical
// RDATA, lowercase owner | type | class | `ttl` | RDATA length | canonical RDATA.
std::string CanonicalRRset(std::string_view owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                           const std::vector<std::string_view>& rdatas);

// A 32-bit identifier of a DNSKEY RRset, for logs and statistics keys: the first 4 octets
// (big-endian) of SHA-256 over its CanonicalRRset with TTL 0. The same keys give the same id
// in any record order; any change of a key (added, removed, a flag such as REVOKE) changes it.
// The TTL is left out: the id names the keys resolvers validate with, not how long they cache
// them. 32 bits tell versions apart, they do not authenticate anything.
uint32_t DnskeyRRsetId(std::string_view owner, uint16_t rclass, const std::vector<std::string_view>& rdatas);

// Serial arithmetic comparison of RRSIG times (RFC 4034 3.1.5, RFC 1982): is `t` at or
// after `ref`, given a 32-bit `now`-relative wraparound.
bool SerialTimeAtOrAfter(uint32_t t, uint32_t ref);

// The ZONEMD SIMPLE digest (RFC 8976 3) of the zone with hash 1 (SHA-384) or 2 (SHA-512):
// every RR in canonical order, the apex ZONEMD RRset and its RRSIGs excluded.
absl::StatusOr<std::string> ZonemdDigest(const Zone& zone, uint8_t hash_algorithm);

}  // namespace rootd::zone
