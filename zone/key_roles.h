// What each apex DNSKEY is and does: algorithm, size, KSK/ZSK, REVOKE, trust-anchored, and the
// RRset types its verified signatures cover. For operators reading a verification report.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "zone/anchor_checker.h"
#include "zone/apex_keys.h"
#include "zone/signature_verifier.h"
#include "zone/zone.h"

namespace rootd::zone {

struct KeyRole {
  uint16_t tag = 0;  // as published; REVOKE changes it (19036 becomes 19164)
  uint8_t algorithm = 0;
  int bits = 0;
  uint16_t flags = 0;
  bool ksk = false;  // SEP bit set
  bool revoked = false;
  bool trust_anchored = false;  // an anchor entry valid at the evaluation time names it
  std::vector<uint16_t> signs;  // covered types with a verified signature by this key, ascending
  size_t signatures = 0;        // verified signatures by this key
  std::string location;         // "file:line"

  // "19036 alg 8 2048 bits flags 257 KSK anchored signs DNSKEY (root.zone:3)".
  std::string ToString() const;
};

// `anchor` may be null (no trust anchor given).
std::vector<KeyRole> DescribeKeyRoles(const Zone& zone, const ApexKeys& keys, const SignatureReport& signatures,
                                      const AnchorReport* anchor);

}  // namespace rootd::zone
