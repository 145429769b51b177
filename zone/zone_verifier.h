// One entry point for checking a signed root-like zone before serving it: RRSIGs, the trust
// anchor, the NSEC chain, ZONEMD, and a description of the keys.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "zone/anchor_checker.h"
#include "zone/key_roles.h"
#include "zone/trust_anchor.h"
#include "zone/zone.h"
#include "zone/zonemd_checker.h"

namespace rootd::zone {

struct VerifyOptions {
  int threads = 0;           // signature workers; 0 = hardware concurrency
  size_t max_problems = 20;  // problems kept in the report; all are counted
  bool check_nsec = true;
  bool check_zonemd = true;
};

struct VerifyReport {
  bool ok() const { return problem_count == 0; }
  // "<name> <TYPE> (<file:line>): <reason>", the first max_problems of them, in the order:
  // zone shape, signatures, trust anchor, NSEC chain, ZONEMD.
  std::vector<std::string> problems;
  size_t problem_count = 0;

  size_t records = 0;
  size_t rrsets_signed = 0;  // RRsets that must carry a valid RRSIG
  size_t signatures_checked = 0;
  size_t signatures_verified = 0;
  size_t nsec_records = 0;

  absl::Time earliest_expiration = absl::InfiniteFuture();
  std::string earliest_expiring;  // Describe() of the RRSIG, empty if none

  std::vector<KeyRole> keys;
  bool anchor_checked = false;
  bool dnskey_validated = false;             // by the trust anchor
  std::vector<std::string> anchor_matches;   // "DS 19036 8 2 49AA... (file:1) matches key 19036"
  std::vector<std::string> notes;            // informational, never problems

  ZonemdReport zonemd;

  // Multi-line human summary (counts, expiry, keys, anchor, ZONEMD, problems).
  std::string ToString() const;
};

// `anchor` may be null: then the DNSKEY RRset is only checked to be self-consistent.
VerifyReport VerifyZone(const Zone& zone, const TrustAnchor* anchor, absl::Time at, const VerifyOptions& options = {});

}  // namespace rootd::zone
