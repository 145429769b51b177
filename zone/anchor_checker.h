// Checks the apex DNSKEY RRset against a trust anchor (RFC 4035 5, RFC 5011 2.1): at least
// one apex key that an anchor entry valid at the evaluation time names, not REVOKEd, must
// have a verified signature over the DNSKEY RRset.
#pragma once
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "zone/apex_keys.h"
#include "zone/signature_verifier.h"
#include "zone/trust_anchor.h"
#include "zone/zone.h"

namespace rootd::zone {

struct AnchorMatch {
  int entry_index = -1;  // into TrustAnchor::entries()
  int key_index = -1;    // into ApexKeys::keys()
  bool revoked = false;
  bool signs_dnskey = false;  // the key has a verified signature over the DNSKEY RRset
};

struct AnchorReport {
  std::vector<AnchorMatch> matches;  // entries valid at the evaluation time only
  bool dnskey_validated = false;
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // informational: entries outside their validity window
};

AnchorReport CheckTrustAnchor(const Zone& zone, const ApexKeys& keys, const SignatureReport& signatures,
                              const TrustAnchor& anchor, absl::Time at);

}  // namespace rootd::zone
