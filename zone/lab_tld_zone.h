// The lab's own TLD, `lab.`: a small signed child zone of the lab root (SOA, NS ns.lab.,
// ns.lab. A, www.lab. A 192.0.2.53, DNSKEY, NSEC chain, RRSIGs) in a master file any standard
// authoritative server (NSD, Knot DNS, BIND) serves, so that resolvers rolling with the lab root
// have a real signed name to validate below it. rootd itself serves only the root.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/signer.h"
#include "zone/signing_key.h"
#include "zone/zone.h"

namespace rootd::zone {

inline constexpr char kLabTld[] = "lab";

struct LabTldZone {
  std::vector<Record> records;  // the delegation's data below it: owners lab., ns.lab., www.lab.
  std::string text;             // master file, one record per line
};

// `key` (a KSK, flags 257) signs every RRset: one key for the child keeps its DS (key.DsRdata)
// the only link the parent needs. `address` is ns.lab.'s IPv4 address, 4 octets.
absl::StatusOr<LabTldZone> MakeLabTldZone(const SigningKey& key, const std::string& address, uint32_t serial,
                                          const SignatureValidity& validity);

}  // namespace rootd::zone
