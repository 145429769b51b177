// `rootlab init`: a lab root in a folder, with keys of its own. The layout (a contract the
// testbed and docs/testbed.md rely on):
//   keys/            0700: lab_keystore.h's PEM keys (0600) and keys.txt: KSK-A and ZSK-1 of the
//                    root, LAB-TLD of the child zone
//   root.zone        the root zone (generated like lab_zone.h's, or a given zone's content with
//                    its DNSSEC records stripped), the 13 root servers' glue pointing at the
//                    lab server's IPv4 address (no AAAA), `lab.` delegated to ns.lab. with its
//                    DS; signed with ZSK-1, DNSKEY by KSK-A, NSEC chain and ZONEMD
//   lab.zone         the signed child zone (lab_tld_zone.h) for a standard authoritative server
//   root.ds          the trust anchor as DS lines (rootd --trust-anchor)
//   anchors/         unbound-root.key, bind-trust-anchors.conf, kresd-root.keys, root-anchors.xml
#pragma once
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/rr_types.h"

namespace rootd::zone {

struct LabInitOptions {
  std::string dir;
  std::string from_zone;  // a root zone's master file; empty: a generated zone of `tld_count` TLDs
  int tld_count = 50;
  uint8_t algorithm = dns::kAlgRsaSha256;
  absl::Duration validity = absl::Hours(24 * 30);  // signatures valid from now - 1 hour for this long
  std::string server_address = "127.0.53.1";       // the root servers' glue: where rootd listens
  std::string lab_tld_address = "127.0.53.10";     // ns.lab.: where lab.zone is served
  absl::Time now = absl::Now();
};

struct LabInitReport {
  uint16_t ksk_tag = 0, zsk_tag = 0, lab_tld_tag = 0;
  uint32_t serial = 0;
  size_t records = 0;  // in root.zone
  absl::Time expiration;
};

absl::StatusOr<LabInitReport> InitLab(const LabInitOptions& options);

// The lab's files, for the tools and tests that read them.
std::string LabRootZonePath(const std::string& dir);  // DIR/root.zone

}  // namespace rootd::zone
