// What every SKR the readers accept must satisfy, for skr_xml_fuzzer and knot_skr_fuzzer: a
// violation aborts, which libFuzzer reports as a crash. An accepted SKR then goes through
// skrtool's show and verify, so malformed keys and signatures reach OpenSSL and the summaries.
#pragma once
#include <cstdlib>

#include "absl/status/statusor.h"
#include "tools/skr_report.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/skr.h"

namespace rootd::fuzz {

inline void CheckAcceptedSkr(const absl::StatusOr<zone::SignedKeyResponse>& skr) {
  if (!skr.ok()) {
    if (skr.status().message().empty()) std::abort();  // every refusal says why
    return;
  }
  if (skr->bundles.empty()) std::abort();
  for (const zone::SkrBundle& b : skr->bundles) {
    if (b.dnskeys.empty() || b.signatures.empty() || b.inception > b.expiration) std::abort();
    if (b.stated_key_tags.size() != b.dnskeys.size() || b.key_identifiers.size() != b.dnskeys.size()) std::abort();
    for (const zone::Record& k : b.dnskeys) {
      if (k.type != dns::kTypeDnskey || k.owner != std::string(1, '\0') || k.rdata.size() < 4) std::abort();
    }
    for (const zone::Record& s : b.signatures) {
      absl::StatusOr<zone::RrsigFields> f = zone::ParseRrsig(s.rdata);
      if (s.type != dns::kTypeRrsig || !f.ok() || f->type_covered != dns::kTypeDnskey) std::abort();
    }
  }
  const tools::SkrVerification verification = tools::VerifySkr(*skr);
  if (verification.bundles != skr->bundles.size()) std::abort();
  if (tools::ShowText(*skr).empty() || tools::ShowJson(*skr).empty()) std::abort();
  if (tools::VerifyJson(*skr, verification).empty()) std::abort();
}

}  // namespace rootd::fuzz
