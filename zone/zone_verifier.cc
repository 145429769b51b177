#include "zone/zone_verifier.h"

#include "zone/apex_keys.h"
#include "zone/nsec_checker.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

class ProblemList {
 public:
  ProblemList(VerifyReport& report, size_t cap) : report_(report), cap_(cap) {}
  void Add(std::string problem) {
    ++report_.problem_count;
    if (report_.problems.size() < cap_) report_.problems.push_back(std::move(problem));
  }
  void AddAll(std::vector<std::string>& problems) {
    for (std::string& p : problems) Add(std::move(p));
  }

 private:
  VerifyReport& report_;
  size_t cap_;
};

}  // namespace

VerifyReport VerifyZone(const Zone& zone, const TrustAnchor* anchor, absl::Time at, const VerifyOptions& options) {
  VerifyReport report;
  ProblemList problems(report, options.max_problems);
  report.records = zone.records().size();
  const Node* apex = zone.apex();
  if (apex == nullptr) {
    problems.Add("zone has no apex (\".\") records");
    return report;
  }
  if (apex->Find(dns::kTypeDnskey) == nullptr) problems.Add(". DNSKEY: zone has no apex DNSKEY RRset");

  const ApexKeys keys = ApexKeys::FromZone(zone);
  SignatureOptions sig_options;
  sig_options.at = at;
  sig_options.threads = options.threads;
  SignatureReport sigs = SignatureVerifier(zone, keys).Verify(sig_options);
  report.signatures_checked = sigs.signatures_checked;
  report.signatures_verified = sigs.verified.size();
  report.rrsets_signed = sigs.rrsets_checked;
  report.earliest_expiration = sigs.earliest_expiration;
  if (sigs.earliest_expiring != nullptr) report.earliest_expiring = zone.Describe(*sigs.earliest_expiring);
  problems.AddAll(sigs.failures);

  AnchorReport anchor_report;
  if (anchor != nullptr) {
    report.anchor_checked = true;
    anchor_report = CheckTrustAnchor(zone, keys, sigs, *anchor, at);
    report.dnskey_validated = anchor_report.dnskey_validated;
    for (const AnchorMatch& m : anchor_report.matches) {
      const AnchorEntry& e = anchor->entries()[m.entry_index];
      const ApexKey& k = keys.keys()[m.key_index];
      report.anchor_matches.push_back(Cat(e.ToString(), " (", e.source, ") matches key ", int{k.tag},
                                          m.revoked ? " (revoked)" : "", m.signs_dnskey ? ", which signs DNSKEY" : ""));
    }
    problems.AddAll(anchor_report.problems);
    report.notes.insert(report.notes.end(), anchor_report.notes.begin(), anchor_report.notes.end());
  }
  report.keys = DescribeKeyRoles(zone, keys, sigs, anchor != nullptr ? &anchor_report : nullptr);
  for (const ApexKey& k : keys.keys()) {
    if (!k.key) report.notes.push_back(Cat("DNSKEY ", int{k.tag}, " (", zone.Where(*k.record), ") unusable: ", k.key_error));
  }

  if (options.check_nsec) {
    NsecReport nsec = CheckNsecChain(zone);
    report.nsec_records = nsec.nsec_count;
    problems.AddAll(nsec.problems);
  }
  if (options.check_zonemd) {
    report.zonemd = CheckZonemd(zone);
    problems.AddAll(report.zonemd.problems);
  }
  return report;
}

std::string VerifyReport::ToString() const {
  std::string out = Cat(ok() ? "zone verified" : "zone has problems", ": ", records, " records, ", signatures_verified,
                        "/", signatures_checked, " signatures verified, ", rrsets_signed, " signed RRsets, ",
                        nsec_records, " NSEC\n");
  if (!earliest_expiring.empty()) {
    out += Cat("earliest signature expiration: ", FormatUtc(earliest_expiration), " (", earliest_expiring, ")\n");
  }
  for (const KeyRole& k : keys) out += Cat("key ", k.ToString(), "\n");
  if (anchor_checked) out += Cat("trust anchor: ", dnskey_validated ? "DNSKEY RRset validated" : "NOT validated", "\n");
  for (const std::string& m : anchor_matches) out += Cat("  ", m, "\n");
  out += Cat("ZONEMD: ", zonemd.ToString(), "\n");
  for (const std::string& n : notes) out += Cat("note: ", n, "\n");
  for (const std::string& p : problems) out += Cat("problem: ", p, "\n");
  if (problem_count > problems.size()) out += Cat("... and ", problem_count - problems.size(), " more problems\n");
  return out;
}

}  // namespace rootd::zone
