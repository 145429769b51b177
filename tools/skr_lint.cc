#include "tools/skr_lint.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "server/json_writer.h"
#include "tools/skr_report.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::tools {

namespace {

using Severity = SkrLintFinding::Severity;
using zone::FormatUtc;
using zone::Record;
using zone::SignedKeyResponse;
using zone::SkrBundle;

std::string Days(absl::Duration d) {
  const double days = absl::ToDoubleHours(d) / 24;
  if (days == static_cast<double>(static_cast<int64_t>(days))) return Cat(static_cast<int64_t>(days), " days");
  return absl::FormatDuration(d);
}

// The RSA public exponent of DNSKEY RDATA (RFC 3110 2: a one-octet exponent length, or 0 and a
// two-octet one, then the exponent); 0 when it does not parse or exceeds 32 bits.
uint64_t RsaExponent(std::string_view rdata) {
  if (rdata.size() < 5) return 0;
  size_t at = 4, length = static_cast<uint8_t>(rdata[at++]);
  if (length == 0) {
    if (rdata.size() < 7) return 0;
    length = static_cast<size_t>(static_cast<uint8_t>(rdata[5])) << 8 | static_cast<uint8_t>(rdata[6]);
    at = 7;
  }
  if (length == 0 || length > 4 || rdata.size() < at + length) return 0;
  uint64_t e = 0;
  for (size_t i = 0; i < length; ++i) e = e << 8 | static_cast<uint8_t>(rdata[at + i]);
  return e;
}

bool IsRsa(uint8_t algorithm) {
  return algorithm == dns::kAlgRsaSha256 || algorithm == 5 || algorithm == 7 || algorithm == 10;
}

// One SKR as the checks see it: summaries from skr_report plus the parsed RRSIGs per bundle.
struct Seen {
  const SignedKeyResponse* skr = nullptr;
  std::vector<SkrBundleSummary> bundles;
  std::vector<std::vector<zone::RrsigFields>> signatures;

  explicit Seen(const SignedKeyResponse& s) : skr(&s), bundles(SummarizeSkr(s)) {
    for (const SkrBundle& b : s.bundles) {
      std::vector<zone::RrsigFields>& out = signatures.emplace_back();
      for (const Record& r : b.signatures) {
        if (absl::StatusOr<zone::RrsigFields> f = zone::ParseRrsig(r.rdata); f.ok()) out.push_back(*std::move(f));
      }
    }
  }
};

// A KSK's identity across bundles and files: its RDATA without the flags, so that the revoked
// form of a key (19164) is the same key as its unrevoked form (19036).
std::string KeyIdentity(std::string_view rdata) { return std::string(rdata.size() > 2 ? rdata.substr(2) : rdata); }

class Linter {
 public:
  Linter(const SignedKeyResponse& skr, const SkrLintOptions& options, SkrLintReport& out)
      : skr_(skr), options_(options), out_(out), seen_(skr) {}

  void Run() {
    CheckBundleCount();
    CheckBundleIntervals();
    if (skr_.has_policy) {
      CheckSignatureValidity();
      CheckSignatureOverlap();
      CheckAlgorithms();
    } else {
      out_.notes.push_back(
          "no response policy in the file (Knot's format): KSR-POLICY-SIG-VALIDITY, KSR-POLICY-SIG-OVERLAP and "
          "KSR-POLICY-ALG skipped");
    }
    CheckSignatureHorizon();
    CheckBundleKeys();
    if (options_.previous != nullptr) CheckChain();
    CheckRfc5011();
    CheckDnskeySize();
  }

 private:
  void Add(Severity severity, const char* check, size_t index, std::string reason) {
    out_.findings.push_back({severity, check, index, index == 0 ? "" : skr_.bundles[index - 1].id, std::move(reason)});
  }
  void Error(const char* check, size_t index, std::string reason) {
    Add(Severity::kError, check, index, std::move(reason));
  }

  void CheckBundleCount();
  void CheckBundleIntervals();
  void CheckSignatureValidity();
  void CheckSignatureOverlap();
  void CheckAlgorithms();
  void CheckSignatureHorizon();
  void CheckBundleKeys();
  void CheckChain();
  void CheckRfc5011();
  void CheckDnskeySize();

  const SignedKeyResponse& skr_;
  const SkrLintOptions& options_;
  SkrLintReport& out_;
  Seen seen_;
};

void Linter::CheckBundleCount() {
  if (skr_.bundles.size() != options_.bundle_count) {
    Error(
        "KSR-BUNDLE-COUNT", 0,
        Cat(skr_.bundles.size(), " bundles, the policy wants ", options_.bundle_count, " (one per slot of a quarter)"));
  }
}

void Linter::CheckBundleIntervals() {
  for (size_t i = 1; i < skr_.bundles.size(); ++i) {
    const absl::Duration interval = skr_.bundles[i].inception - skr_.bundles[i - 1].inception;
    if (interval < options_.min_bundle_interval || interval > options_.max_bundle_interval) {
      Error("KSR-POLICY-BUNDLE-INTERVALS", i + 1,
            Cat("inception ", FormatUtc(skr_.bundles[i].inception), " is ", Days(interval), " after bundle ", i,
                "'s, outside ", Days(options_.min_bundle_interval), "..", Days(options_.max_bundle_interval)));
    }
  }
}

void Linter::CheckSignatureValidity() {
  const zone::SkrPolicy& p = skr_.ksk_policy;
  for (size_t i = 0; i < skr_.bundles.size(); ++i) {
    const absl::Duration validity = skr_.bundles[i].expiration - skr_.bundles[i].inception;
    // kskm (ksr/verify_bundles.py) compares the lower bound against MaxSignatureValidity, a known
    // bug of kskm: with Min < Max it refuses valid bundles. The policy's minimum is meant here.
    if (validity < p.min_signature_validity || validity > p.max_signature_validity) {
      Error("KSR-POLICY-SIG-VALIDITY", i + 1,
            Cat("valid ", Days(validity), " (", FormatUtc(skr_.bundles[i].inception), " .. ",
                FormatUtc(skr_.bundles[i].expiration), "), the KSK policy allows ", Days(p.min_signature_validity),
                "..", Days(p.max_signature_validity)));
    }
  }
}

void Linter::CheckSignatureOverlap() {
  const zone::SkrPolicy& p = skr_.ksk_policy;
  for (size_t i = 1; i < skr_.bundles.size(); ++i) {
    const absl::Duration overlap = skr_.bundles[i - 1].expiration - skr_.bundles[i].inception;
    if (overlap < p.min_validity_overlap || overlap > p.max_validity_overlap) {
      Error("KSR-POLICY-SIG-OVERLAP", i + 1,
            Cat("overlaps bundle ", i, " by ", Days(overlap), " (its expiration ",
                FormatUtc(skr_.bundles[i - 1].expiration), "), the KSK policy allows ", Days(p.min_validity_overlap),
                "..", Days(p.max_validity_overlap)));
    }
  }
}

void Linter::CheckAlgorithms() {
  for (size_t i = 0; i < skr_.bundles.size(); ++i) {
    const SkrBundle& b = skr_.bundles[i];
    for (const Record& r : b.dnskeys) {
      const uint16_t flags = zone::DnskeyFlags(r.rdata);
      const bool ksk = (flags & dns::kDnskeySep) != 0;
      const zone::SkrPolicy& p = ksk ? skr_.ksk_policy : skr_.zsk_policy;
      const std::string key = Cat(ksk ? "KSK " : "ZSK ", zone::KeyTag(r.rdata));
      const uint8_t algorithm = zone::DnskeyAlgorithm(r.rdata);
      if (algorithm != p.algorithm) {
        Error("KSR-POLICY-ALG", i + 1,
              Cat(key, " has algorithm ", int{algorithm}, ", the ", ksk ? "KSK" : "ZSK", " policy says ",
                  int{p.algorithm}));
        continue;
      }
      if (!IsRsa(algorithm) || p.rsa_size == 0) continue;
      int bits = 0;
      for (const SkrKeySummary& k : seen_.bundles[i].keys) {
        if (k.tag == zone::KeyTag(r.rdata)) bits = k.bits;
      }
      if (static_cast<uint32_t>(bits) != p.rsa_size) {
        Error("KSR-POLICY-ALG", i + 1, Cat(key, " is ", bits, " bits, the policy says ", p.rsa_size));
      }
      if (const uint64_t e = RsaExponent(r.rdata); p.rsa_exponent != 0 && e != p.rsa_exponent) {
        Error("KSR-POLICY-ALG", i + 1, Cat(key, " has exponent ", e, ", the policy says ", p.rsa_exponent));
      }
    }
    for (const zone::RrsigFields& s : seen_.signatures[i]) {
      if (s.algorithm != skr_.ksk_policy.algorithm) {
        Error("KSR-POLICY-ALG", i + 1,
              Cat("RRSIG by ", s.key_tag, " has algorithm ", int{s.algorithm}, ", the KSK policy says ",
                  int{skr_.ksk_policy.algorithm}));
      }
    }
  }
}

void Linter::CheckSignatureHorizon() {
  if (skr_.bundles.empty()) return;
  const absl::Time limit = skr_.bundles.front().inception + options_.max_signature_horizon;
  for (size_t i = 0; i < skr_.bundles.size(); ++i) {
    absl::Time latest = skr_.bundles[i].expiration;
    for (const zone::RrsigFields& s : seen_.signatures[i])
      latest = std::max(latest, absl::FromUnixSeconds(s.expiration));
    if (latest > limit) {
      Error("KSR-POLICY-SIG-HORIZON", i + 1,
            Cat("a signature expires ", FormatUtc(latest), ", more than ", Days(options_.max_signature_horizon),
                " after the first inception ", FormatUtc(skr_.bundles.front().inception)));
    }
  }
}

void Linter::CheckBundleKeys() {
  for (const SkrBundleSummary& b : seen_.bundles) {
    for (const zone::RrsigFields& s : seen_.signatures[b.index - 1]) {
      const bool known = std::any_of(b.keys.begin(), b.keys.end(), [&](const SkrKeySummary& k) {
        return k.tag == s.key_tag && k.algorithm == s.algorithm;
      });
      if (!known) {
        Error("KSR-BUNDLE-KEYS", b.index,
              Cat("an RRSIG names key tag ", s.key_tag, " algorithm ", int{s.algorithm},
                  ", which is not in the bundle's DNSKEY RRset"));
      }
    }
    // A KSK: the SEP bit, flags 257 or (revoked) 385.
    if (std::none_of(b.keys.begin(), b.keys.end(), [](const SkrKeySummary& k) { return k.ksk && k.signs; })) {
      Error("KSR-BUNDLE-KEYS", b.index, "no KSK of the bundle signs its DNSKEY RRset");
    }
  }
}

std::set<std::string> KskSet(const SkrBundle& b) {
  std::set<std::string> out;
  for (const Record& r : b.dnskeys) {
    if ((zone::DnskeyFlags(r.rdata) & dns::kDnskeySep) != 0) out.insert(r.rdata);
  }
  return out;
}

std::string TagList(const std::set<std::string>& keys) {
  std::vector<uint16_t> tags;
  for (const std::string& k : keys) tags.push_back(zone::KeyTag(k));
  std::sort(tags.begin(), tags.end());
  std::string out;
  for (uint16_t t : tags) out += Cat(out.empty() ? "" : " ", t);
  return out.empty() ? "none" : out;
}

void Linter::CheckChain() {
  const SignedKeyResponse& previous = *options_.previous;
  if (previous.bundles.empty() || skr_.bundles.empty()) return;
  const SkrBundle& last = previous.bundles.back();
  const SkrBundle& first = skr_.bundles.front();
  // Compared as RDATA with their flags: a KSK revoked between the two files is a change of the set.
  const std::set<std::string> before = KskSet(last), after = KskSet(first);
  if (before != after) {
    Error("KSR-CHAIN-KEYS", 1,
          Cat("publishes KSKs ", TagList(after), ", the last bundle of ", previous.file, " (", last.id, ") ",
              TagList(before)));
  }
  if (last.expiration <= first.inception) {
    Error("KSR-CHAIN-OVERLAP", 1,
          Cat("inception ", FormatUtc(first.inception), " is not before the expiration ", FormatUtc(last.expiration),
              " of the last bundle of ", previous.file, ": a gap in the signatures"));
  } else if (skr_.has_policy) {
    const zone::SkrPolicy& p = skr_.ksk_policy;
    const absl::Duration overlap = last.expiration - first.inception;
    if (overlap < p.min_validity_overlap || overlap > p.max_validity_overlap) {
      Error("KSR-CHAIN-OVERLAP", 1,
            Cat("overlaps the last bundle of ", previous.file, " by ", Days(overlap), ", the KSK policy allows ",
                Days(p.min_validity_overlap), "..", Days(p.max_validity_overlap)));
    }
  }
}

// RFC 5011 as a resolver that follows the bundles in order sees it. The trust anchors are the
// KSKs signing the earliest bundle seen (of --previous, else of this file): their history lies
// before what the files show. A key becomes trusted once it has been published for the add
// hold-down, counted from the inception of the earliest bundle that publishes it. A bundle must
// be signed by at least one trusted, unrevoked KSK; otherwise each of its signers is reported:
// an error when the key first appeared after the earliest bundle seen (its publication is known
// to be too short), a warning when it was already published in the earliest bundle seen (its
// publication may have begun earlier, in a file not given: pass it with --previous).
void Linter::CheckRfc5011() {
  std::vector<const SkrBundle*> history;
  if (options_.previous != nullptr) {
    for (const SkrBundle& b : options_.previous->bundles) history.push_back(&b);
  }
  const size_t own_start = history.size();
  for (const SkrBundle& b : skr_.bundles) history.push_back(&b);
  if (history.empty()) return;

  std::set<std::string> anchors;
  for (const zone::Record& s : history.front()->signatures) {
    absl::StatusOr<zone::RrsigFields> f = zone::ParseRrsig(s.rdata);
    for (const Record& r : history.front()->dnskeys) {
      const uint16_t flags = zone::DnskeyFlags(r.rdata);
      if (f.ok() && zone::KeyTag(r.rdata) == f->key_tag && (flags & dns::kDnskeySep) != 0 &&
          (flags & dns::kDnskeyRevoke) == 0) {
        anchors.insert(KeyIdentity(r.rdata));
      }
    }
  }
  std::map<std::string, absl::Time> first_published;
  for (size_t h = 0; h < history.size(); ++h) {
    const SkrBundle& b = *history[h];
    for (const Record& r : b.dnskeys) first_published.emplace(KeyIdentity(r.rdata), b.inception);
    if (h < own_start) continue;
    const size_t index = h - own_start + 1;
    const SkrBundleSummary& summary = seen_.bundles[index - 1];

    std::vector<std::string> short_keys;
    bool trusted_signer = false, unknown_history = false;
    for (size_t k = 0; k < summary.keys.size(); ++k) {
      const SkrKeySummary& key = summary.keys[k];
      if (!key.ksk || !key.signs || key.revoked) continue;
      const std::string identity = KeyIdentity(b.dnskeys[k].rdata);
      const absl::Time since = first_published[identity];
      const absl::Duration published = b.inception - since;
      if (anchors.count(identity) != 0 || published >= options_.hold_down) {
        trusted_signer = true;
        continue;
      }
      unknown_history = unknown_history || since == history.front()->inception;
      short_keys.push_back(
          Cat("KSK ", key.tag, " signs, published only ", Days(published), " (since ", FormatUtc(since), ")"));
    }
    if (!trusted_signer && !short_keys.empty()) {
      std::string reason;
      for (const std::string& s : short_keys) reason += Cat(reason.empty() ? "" : "; ", s);
      reason += Cat(" and no trusted KSK signs: a resolver that follows RFC 5011 (add hold-down ",
                    Days(options_.hold_down), ") does not trust it yet");
      if (unknown_history) {
        reason += Cat("; it is already in the earliest bundle given, so its publication may have begun earlier",
                      options_.previous == nullptr ? " (pass the previous SKR with --previous)" : "");
      }
      Add(unknown_history ? Severity::kWarning : Severity::kError, "RFC5011-HOLD-DOWN", index, reason);
    }
    // RFC 5011 2.1: a revocation counts only if the revoked key signs the DNSKEY RRset itself.
    for (const SkrKeySummary& key : summary.keys) {
      if (key.revoked && !key.signs) {
        Error("RFC5011-REVOKE-SELF-SIGN", index,
              Cat("KSK ", key.tag,
                  " has the REVOKE bit but does not sign the DNSKEY RRset: resolvers ignore "
                  "the revocation"));
      }
    }
  }
}

void Linter::CheckDnskeySize() {
  for (const SkrBundleSummary& b : seen_.bundles) {
    if (b.dnskey_response_size > options_.dnskey_response_limit) {
      Add(Severity::kWarning, "DNSKEY-SIZE", b.index,
          Cat("the . DNSKEY response with DO is ", b.dnskey_response_size, " octets, over ",
              options_.dnskey_response_limit, ": it forces TCP for resolvers with a ", options_.dnskey_response_limit,
              "-octet EDNS buffer (TC=1, then a retry over TCP)"));
    }
  }
}

const char* SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

}  // namespace

std::string SkrLintFinding::ToString() const {
  return Cat(SeverityName(severity), " ", check,
             bundle_index != 0 ? Cat(" bundle ", bundle_index, " (", bundle_id, ")") : "", ": ", reason);
}

size_t SkrLintReport::errors() const {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(),
                                           [](const SkrLintFinding& f) { return f.severity == Severity::kError; }));
}

size_t SkrLintReport::warnings() const { return findings.size() - errors(); }

SkrLintReport LintSkr(const SignedKeyResponse& skr, const SkrLintOptions& options) {
  SkrLintReport out;
  Linter(skr, options, out).Run();
  return out;
}

std::string LintText(const SignedKeyResponse& skr, const SkrLintReport& report) {
  std::string out;
  for (const SkrLintFinding& f : report.findings) out += Cat(skr.file, ": ", f.ToString(), "\n");
  for (const std::string& n : report.notes) out += Cat(skr.file, ": note: ", n, "\n");
  out += Cat(skr.file, ": ", skr.bundles.size(), " bundles, ", report.errors(), " errors, ", report.warnings(),
             " warnings: ", report.ok() ? "OK" : "FAILED", "\n");
  return out;
}

std::string LintJson(const SignedKeyResponse& skr, const SkrLintReport& report) {
  server::JsonWriter j;
  j.BeginObject();
  j.Key("file").String(skr.file).Key("ok").Bool(report.ok());
  j.Key("bundles").Number(uint64_t{skr.bundles.size()});
  j.Key("errors").Number(uint64_t{report.errors()}).Key("warnings").Number(uint64_t{report.warnings()});
  j.Key("findings").BeginArray();
  for (const SkrLintFinding& f : report.findings) {
    j.BeginObject();
    j.Key("severity").String(SeverityName(f.severity)).Key("check").String(f.check);
    j.Key("bundle").Number(uint64_t{f.bundle_index}).Key("id").String(f.bundle_id);
    j.Key("reason").String(f.reason);
    j.EndObject();
  }
  j.EndArray();
  j.Key("notes").BeginArray();
  for (const std::string& n : report.notes) j.String(n);
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace rootd::tools
