// Signing a root zone's content whole, as the lab does: its DNSKEY RRset, a ZONEMD placeholder,
// the NSEC chain, RRSIGs by the ZSKs (the DNSKEY RRset by the KSKs) and, last, the ZONEMD
// digest over the signed zone and its own RRSIG. lab_zone.h signs its generated zones with it,
// and `rootlab init` re-signs a real root zone's content with the lab's keys.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/signer.h"
#include "zone/signing_key.h"
#include "zone/zone.h"

namespace rootd::zone {

struct RootSigningOptions {
  std::vector<SigningKey> ksks;  // sign the DNSKEY RRset
  std::vector<SigningKey> zsks;  // sign everything else
  SignatureValidity validity;
  uint32_t dnskey_ttl = 172800;  // the root zone's TTLs
  uint32_t zonemd_ttl = 86400;
  bool zonemd = true;  // SIMPLE / SHA-384 (RFC 8976) with the SOA serial
  int threads = 0;     // SignZone's; does not change the output
};

// The signed zone of `content` (a root zone without DNSSEC records: one SOA at ".", whose
// minimum is the NSEC TTL), in output order: the apex first (SOA leading), every RRset
// followed by its signatures, then each name in canonical order (a TLD followed by its glue).
absl::StatusOr<std::vector<Record>> SignRootZone(std::vector<Record> content, const RootSigningOptions& options);

// A master file: `header` (comment lines), then one record per line.
std::string ZoneFileText(std::string_view header, const std::vector<Record>& records);

// `records` without the DNSSEC records a re-signing replaces: DNSKEY, RRSIG, NSEC, NSEC3,
// NSEC3PARAM and ZONEMD (DS records stay: they are the TLDs').
std::vector<Record> StripDnssecRecords(std::vector<Record> records);

}  // namespace rootd::zone
