#include "tools/skr_report.h"

#include <utility>

#include "server/json_writer.h"
#include "zone/apex_keys.h"
#include "zone/dnssec_wire.h"
#include "zone/public_key.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::tools {

namespace {

using server::JsonWriter;
using zone::FormatUtc;
using zone::Record;
using zone::SignedKeyResponse;
using zone::SkrBundle;

const std::string kRoot(1, '\0');

// Wire sizes of the fixed parts of a ". DNSKEY" response (RFC 1035 4.1, RFC 6891 6.1.2).
constexpr size_t kHeaderSize = 12;
constexpr size_t kRootQuestionSize = 1 + 2 + 2;
constexpr size_t kRootRecordOverhead = 1 + 2 + 2 + 4 + 2;
constexpr size_t kEmptyOptSize = 11;

std::string FormatName(SignedKeyResponse::Format format) {
  return format == SignedKeyResponse::Format::kIanaXml ? "iana-xml" : "knot-text";
}

// Policy durations are whole days in every ceremony file; others fall back to Abseil's form.
std::string FormatDays(absl::Duration d) {
  if (d % absl::Hours(24) == absl::ZeroDuration()) return Cat(absl::IDivDuration(d, absl::Hours(24), &d), "d");
  return absl::FormatDuration(d);
}

std::string PolicyText(std::string_view role, const zone::SkrPolicy& p) {
  const std::string algorithm = p.rsa_size != 0 ? Cat(" RSA ", p.rsa_size, " bits exponent ", p.rsa_exponent)
                                                : Cat(" ECDSA ", p.ecdsa_size, " bits");
  return Cat(role, " policy: algorithm ", int{p.algorithm}, algorithm, ", signature validity ",
             FormatDays(p.min_signature_validity), "..", FormatDays(p.max_signature_validity), ", validity overlap ",
             FormatDays(p.min_validity_overlap), "..", FormatDays(p.max_validity_overlap), ", publish safety ",
             FormatDays(p.publish_safety), ", retire safety ", FormatDays(p.retire_safety), "\n");
}

void PolicyJson(JsonWriter& j, const zone::SkrPolicy& p) {
  j.BeginObject();
  j.Key("algorithm").Number(uint64_t{p.algorithm});
  if (p.rsa_size != 0)
    j.Key("rsa_size").Number(uint64_t{p.rsa_size}).Key("rsa_exponent").Number(uint64_t{p.rsa_exponent});
  if (p.ecdsa_size != 0) j.Key("ecdsa_size").Number(uint64_t{p.ecdsa_size});
  const std::pair<const char*, absl::Duration> durations[] = {
      {"publish_safety", p.publish_safety},
      {"retire_safety", p.retire_safety},
      {"max_signature_validity", p.max_signature_validity},
      {"min_signature_validity", p.min_signature_validity},
      {"max_validity_overlap", p.max_validity_overlap},
      {"min_validity_overlap", p.min_validity_overlap},
  };
  for (const auto& [name, d] : durations)
    j.Key(Cat(name, "_seconds")).Number(static_cast<uint64_t>(absl::ToInt64Seconds(d)));
  j.EndObject();
}

SkrKeySummary SummarizeKey(const Record& dnskey, const std::vector<zone::RrsigFields>& signatures) {
  SkrKeySummary k;
  k.tag = zone::KeyTag(dnskey.rdata);
  k.flags = zone::DnskeyFlags(dnskey.rdata);
  k.algorithm = zone::DnskeyAlgorithm(dnskey.rdata);
  absl::StatusOr<zone::PublicKey> key = zone::PublicKey::FromDnskey(dnskey.rdata);
  k.bits = key.ok() ? key->bits() : 0;
  k.ksk = (k.flags & dns::kDnskeySep) != 0;
  k.revoked = (k.flags & dns::kDnskeyRevoke) != 0;
  for (const zone::RrsigFields& s : signatures) k.signs = k.signs || (s.key_tag == k.tag && s.algorithm == k.algorithm);
  return k;
}

// The RRSIGs of a bundle, parsed; the readers have checked that they parse.
std::vector<zone::RrsigFields> ParsedSignatures(const SkrBundle& bundle) {
  std::vector<zone::RrsigFields> out;
  for (const Record& r : bundle.signatures) {
    if (absl::StatusOr<zone::RrsigFields> f = zone::ParseRrsig(r.rdata); f.ok()) out.push_back(*std::move(f));
  }
  return out;
}

// The checks of one bundle, each problem recorded against the key tag it concerns (0: none).
class BundleVerifier {
 public:
  BundleVerifier(const SignedKeyResponse& skr, size_t index, bool check_windows, SkrVerification& out)
      : skr_(skr), bundle_(skr.bundles[index]), index_(index + 1), check_windows_(check_windows), out_(out) {}

  void Run();

 private:
  void Add(uint16_t key_tag, std::string reason) {
    out_.problems.push_back({index_, bundle_.id, key_tag, std::move(reason)});
  }
  void CheckStatedTags();
  void CheckSignatures();

  const SignedKeyResponse& skr_;
  const SkrBundle& bundle_;
  size_t index_;
  bool check_windows_;
  SkrVerification& out_;
};

void BundleVerifier::Run() {
  ++out_.bundles;
  out_.keys += bundle_.dnskeys.size();
  CheckStatedTags();
  CheckSignatures();
}

void BundleVerifier::CheckStatedTags() {
  for (size_t i = 0; i < bundle_.dnskeys.size() && i < bundle_.stated_key_tags.size(); ++i) {
    const uint16_t computed = zone::KeyTag(bundle_.dnskeys[i].rdata);
    if (bundle_.stated_key_tags[i] != computed) {
      Add(computed,
          Cat("the file states keyTag ", int{bundle_.stated_key_tags[i]}, ", the key's tag is ", int{computed}));
    }
  }
}

void BundleVerifier::CheckSignatures() {
  std::vector<Record> records = bundle_.dnskeys;
  records.insert(records.end(), bundle_.signatures.begin(), bundle_.signatures.end());
  absl::StatusOr<zone::Zone> zone = zone::Zone::FromRecords({skr_.file}, std::move(records));
  const zone::RRset* rrset = zone.ok() && zone->apex() != nullptr ? zone->apex()->Find(dns::kTypeDnskey) : nullptr;
  if (rrset == nullptr) {
    Add(0, zone.ok() ? "no DNSKEY RRset" : std::string(zone.status().message()));
    return;
  }
  const zone::ApexKeys keys = zone::ApexKeys::FromZone(*zone);
  for (const Record& s : bundle_.signatures) {
    absl::StatusOr<zone::RrsigFields> f = zone::ParseRrsig(s.rdata);
    if (!f.ok()) {
      Add(0, std::string(f.status().message()));
      continue;
    }
    if (absl::StatusOr<int> key = zone::VerifyRrsig(*f, kRoot, *rrset, keys, kRoot); key.ok()) {
      ++out_.signatures_verified;
    } else {
      Add(f->key_tag, std::string(key.status().message()));
    }
    if (!check_windows_) continue;
    const std::pair<const char*, absl::Time> ends[] = {{"inception", bundle_.inception},
                                                       {"expiration", bundle_.expiration}};
    for (const auto& [end, at] : ends) {
      if (absl::Status window = zone::CheckRrsigWindow(*f, at); !window.ok()) {
        Add(f->key_tag, Cat("at the bundle's ", end, " ", FormatUtc(at), ": ", window.message()));
      }
    }
  }
}

}  // namespace

size_t DnskeyResponseSize(const SkrBundle& bundle) {
  size_t size = kHeaderSize + kRootQuestionSize + kEmptyOptSize;
  for (const std::vector<Record>* records : {&bundle.dnskeys, &bundle.signatures}) {
    for (const Record& r : *records) size += kRootRecordOverhead + r.rdata.size();
  }
  return size;
}

std::vector<SkrBundleSummary> SummarizeSkr(const SignedKeyResponse& skr) {
  std::vector<SkrBundleSummary> out;
  for (size_t i = 0; i < skr.bundles.size(); ++i) {
    const SkrBundle& b = skr.bundles[i];
    SkrBundleSummary s{.index = i + 1, .id = b.id, .inception = b.inception, .expiration = b.expiration};
    const std::vector<zone::RrsigFields> signatures = ParsedSignatures(b);
    for (const Record& r : b.dnskeys) s.keys.push_back(SummarizeKey(r, signatures));
    for (const zone::RrsigFields& f : signatures) s.signers.push_back(f.key_tag);
    s.dnskey_response_size = DnskeyResponseSize(b);
    out.push_back(std::move(s));
  }
  return out;
}

std::string ShowText(const SignedKeyResponse& skr) {
  std::string out = Cat(skr.file, ": ", FormatName(skr.format), " SKR");
  if (!skr.id.empty()) out += Cat(" ", skr.id);
  out += Cat(", domain ", skr.domain, ", serial ", skr.serial, ", ", skr.bundles.size(), " bundles\n");
  if (skr.has_policy) out += PolicyText("KSK", skr.ksk_policy) + PolicyText("ZSK", skr.zsk_policy);
  for (const SkrBundleSummary& b : SummarizeSkr(skr)) {
    out += Cat("bundle ", b.index, " ", b.id, " ", FormatUtc(b.inception), " .. ", FormatUtc(b.expiration),
               ", DNSKEY response with DO ", b.dnskey_response_size, " octets\n");
    for (const SkrKeySummary& k : b.keys) {
      out += Cat("  ", k.tag, " alg ", int{k.algorithm}, " ", k.bits, " bits ", k.ksk ? "KSK" : "ZSK",
                 k.revoked ? " REVOKED" : "", k.signs ? " signs" : "", "\n");
    }
  }
  return out;
}

std::string ShowJson(const SignedKeyResponse& skr) {
  JsonWriter j;
  j.BeginObject();
  j.Key("file").String(skr.file).Key("format").String(FormatName(skr.format));
  j.Key("id").String(skr.id).Key("domain").String(skr.domain).Key("serial").Number(uint64_t{skr.serial});
  if (skr.has_policy) {
    j.Key("ksk_policy");
    PolicyJson(j, skr.ksk_policy);
    j.Key("zsk_policy");
    PolicyJson(j, skr.zsk_policy);
  }
  j.Key("bundles").BeginArray();
  for (const SkrBundleSummary& b : SummarizeSkr(skr)) {
    j.BeginObject();
    j.Key("index").Number(uint64_t{b.index}).Key("id").String(b.id);
    j.Key("inception").String(FormatUtc(b.inception)).Key("expiration").String(FormatUtc(b.expiration));
    j.Key("dnskey_response_size").Number(uint64_t{b.dnskey_response_size});
    j.Key("keys").BeginArray();
    for (const SkrKeySummary& k : b.keys) {
      j.BeginObject();
      j.Key("tag").Number(uint64_t{k.tag}).Key("algorithm").Number(uint64_t{k.algorithm});
      j.Key("bits").Number(static_cast<uint64_t>(k.bits)).Key("flags").Number(uint64_t{k.flags});
      j.Key("role").String(k.ksk ? "KSK" : "ZSK").Key("revoked").Bool(k.revoked).Key("signs").Bool(k.signs);
      j.EndObject();
    }
    j.EndArray();
    j.Key("signers").BeginArray();
    for (uint16_t tag : b.signers) j.Number(uint64_t{tag});
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

std::string SkrProblem::ToString() const {
  return Cat("bundle ", bundle_index, " (", bundle_id, ")", key_tag != 0 ? Cat(" key ", key_tag) : "", ": ", reason);
}

SkrVerification VerifySkr(const SignedKeyResponse& skr, bool check_windows) {
  SkrVerification out;
  for (size_t i = 0; i < skr.bundles.size(); ++i) BundleVerifier(skr, i, check_windows, out).Run();
  return out;
}

std::string VerifyText(const SignedKeyResponse& skr, const SkrVerification& v) {
  std::string out;
  for (const SkrProblem& p : v.problems) out += Cat(skr.file, ": ", p.ToString(), "\n");
  out += Cat(skr.file, ": ", v.bundles, " bundles, ", v.keys, " keys, ", v.signatures_verified,
             " signatures verified: ", v.ok() ? "OK" : Cat(v.problems.size(), " problems"), "\n");
  return out;
}

std::string VerifyJson(const SignedKeyResponse& skr, const SkrVerification& v) {
  JsonWriter j;
  j.BeginObject();
  j.Key("file").String(skr.file).Key("ok").Bool(v.ok());
  j.Key("bundles").Number(uint64_t{v.bundles}).Key("keys").Number(uint64_t{v.keys});
  j.Key("signatures_verified").Number(uint64_t{v.signatures_verified});
  j.Key("problems").BeginArray();
  for (const SkrProblem& p : v.problems) {
    j.BeginObject();
    j.Key("bundle").Number(uint64_t{p.bundle_index}).Key("id").String(p.bundle_id);
    j.Key("key_tag").Number(uint64_t{p.key_tag}).Key("reason").String(p.reason);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace rootd::tools
