#include "zone/anchor_checker.h"

#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::zone {

AnchorReport CheckTrustAnchor(const Zone& zone, const ApexKeys& keys, const SignatureReport& signatures,
                              const TrustAnchor& anchor, absl::Time at) {
  AnchorReport report;
  const Node* apex = zone.apex();
  if (apex == nullptr || keys.keys().empty()) {
    report.problems.push_back("zone has no apex DNSKEY RRset to check against the trust anchor");
    return report;
  }
  std::vector<bool> signs_dnskey(keys.keys().size(), false);
  for (const VerifiedSignature& v : signatures.verified) {
    if (v.type_covered == dns::kTypeDnskey && v.key_index >= 0) signs_dnskey[v.key_index] = true;
  }
  int valid_entries = 0;
  for (size_t e = 0; e < anchor.entries().size(); ++e) {
    const AnchorEntry& entry = anchor.entries()[e];
    if (!entry.IsValidAt(at)) {
      report.notes.push_back(Cat("trust anchor ", entry.ToString(), " (", entry.source, ") is not valid at ",
                                 FormatUtc(at)));
      continue;
    }
    ++valid_entries;
    for (size_t k = 0; k < keys.keys().size(); ++k) {
      const ApexKey& key = keys.keys()[k];
      if (!entry.Matches(apex->name, key.record->rdata)) continue;
      AnchorMatch m;
      m.entry_index = static_cast<int>(e);
      m.key_index = static_cast<int>(k);
      m.revoked = key.is_revoked();
      m.signs_dnskey = signs_dnskey[k];
      report.matches.push_back(m);
      if (!m.revoked && m.signs_dnskey) report.dnskey_validated = true;
    }
  }
  if (report.dnskey_validated) return report;

  const Record* dnskey = keys.keys()[0].record;
  if (valid_entries == 0) {
    report.problems.push_back(Cat(zone.Describe(*dnskey), ": no trust anchor entry is valid at ", FormatUtc(at)));
    return report;
  }
  std::string revoked, unsigned_keys;
  for (const AnchorMatch& m : report.matches) {
    const std::string tag = std::to_string(keys.keys()[m.key_index].tag);
    if (m.revoked) {
      revoked += (revoked.empty() ? "" : ", ") + tag;
    } else {
      unsigned_keys += (unsigned_keys.empty() ? "" : ", ") + tag;
    }
  }
  if (report.matches.empty()) {
    std::string wanted;
    for (const AnchorEntry& entry : anchor.entries()) {
      if (entry.IsValidAt(at)) wanted += (wanted.empty() ? "" : "; ") + entry.ToString();
    }
    report.problems.push_back(Cat(zone.Describe(*dnskey), ": no apex DNSKEY matches the trust anchor (", wanted, ")"));
  } else if (unsigned_keys.empty()) {
    report.problems.push_back(Cat(zone.Describe(*dnskey), ": trust anchor matches only revoked key ", revoked));
  } else {
    report.problems.push_back(Cat(zone.Describe(*dnskey), ": DNSKEY RRset has no valid signature by trust-anchored key ",
                                  unsigned_keys));
  }
  return report;
}

}  // namespace rootd::zone
