// A root trust anchor in the forms resolvers take, for a lab's KSKs: the inverse of
// trust_anchor.h, which reads these forms back.
#pragma once
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/signing_key.h"

namespace rootd::zone {

struct AnchorFiles {
  std::string ds;              // ". 86400 IN DS <tag> <alg> 2 <hex>" lines: rootd --trust-anchor, Knot Resolver
  std::string dnskey;          // ". 172800 IN DNSKEY 257 3 <alg> <base64>" lines: Unbound's auto-trust-anchor-file
  std::string bind;            // trust-anchors { . initial-key 257 3 <alg> "<base64>"; }; (RFC 5011-managed)
  std::string root_anchors_xml;  // IANA's root-anchors.xml, each KeyDigest valid from `valid_from`
};

// The anchors naming `ksks` (revoked ones are left out: a resolver must not trust them).
absl::StatusOr<AnchorFiles> MakeAnchorFiles(const std::vector<SigningKey>& ksks, absl::Time valid_from);

}  // namespace rootd::zone
