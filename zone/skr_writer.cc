#include "zone/skr_writer.h"

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

// Attribute values and text: ids and names are the only free text an SKR holds.
std::string Escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// xsd:dateTime as the ceremonies write it: "2017-07-01T00:00:00+00:00".
std::string XmlTime(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", t, absl::UTCTimeZone()); }

void Element(std::string& out, std::string_view name, std::string_view text) {
  out += Cat("<", name, ">", Escaped(text), "</", name, ">\n");
}

absl::Status WritePolicy(std::string& out, std::string_view name, const SkrPolicy& p) {
  out += Cat("<", name, ">\n");
  for (const auto& [element, field] : kSkrPolicyDurations) {
    absl::StatusOr<std::string> text = FormatXsdDuration(p.*field);
    if (!text.ok()) return absl::InvalidArgumentError(Cat("<", name, "><", element, ">: ", text.status().message()));
    Element(out, element, *text);
  }
  out += Cat("<SignatureAlgorithm algorithm=\"", int{p.algorithm}, "\">\n");
  if (p.ecdsa_size != 0) {
    out += Cat("<ECDSA size=\"", p.ecdsa_size, "\"/>\n");
  } else {
    out += Cat("<RSA size=\"", p.rsa_size, "\" exponent=\"", p.rsa_exponent, "\"/>\n");
  }
  out += Cat("</SignatureAlgorithm>\n</", name, ">\n");
  return absl::OkStatus();
}

absl::Status CheckOwner(const Record& r) {
  if (r.owner != kRoot || r.rclass != dns::kClassIn) {
    return absl::InvalidArgumentError(Cat(TypeToText(r.type), " record not owned by '.' in class IN"));
  }
  return absl::OkStatus();
}

absl::Status WriteBundle(std::string& out, const SkrBundle& b) {
  out += Cat("<ResponseBundle id=\"", Escaped(b.id), "\">\n");
  Element(out, "Inception", XmlTime(b.inception));
  Element(out, "Expiration", XmlTime(b.expiration));
  for (size_t i = 0; i < b.dnskeys.size(); ++i) {
    const Record& r = b.dnskeys[i];
    if (absl::Status s = CheckOwner(r); !s.ok()) return s;
    if (r.rdata.size() < 4) return absl::InvalidArgumentError("DNSKEY RDATA shorter than 4 octets");
    const std::string identifier = i < b.key_identifiers.size() ? b.key_identifiers[i] : "";
    const uint16_t tag = i < b.stated_key_tags.size() ? b.stated_key_tags[i] : KeyTag(r.rdata);
    out += "<Key";
    if (!identifier.empty()) out += Cat(" keyIdentifier=\"", Escaped(identifier), "\"");
    out += Cat(" keyTag=\"", tag, "\">\n");
    Element(out, "TTL", Cat(r.ttl));
    Element(out, "Flags", Cat(DnskeyFlags(r.rdata)));
    Element(out, "Protocol", Cat(static_cast<int>(static_cast<uint8_t>(r.rdata[2]))));
    Element(out, "Algorithm", Cat(int{DnskeyAlgorithm(r.rdata)}));
    Element(out, "PublicKey", Base64Encode(DnskeyPublicKey(r.rdata)));
    out += "</Key>\n";
  }
  for (const Record& r : b.signatures) {
    if (absl::Status s = CheckOwner(r); !s.ok()) return s;
    absl::StatusOr<RrsigFields> f = ParseRrsig(r.rdata);
    if (!f.ok()) return f.status();
    if (f->type_covered != dns::kTypeDnskey) {
      return absl::InvalidArgumentError(Cat("RRSIG covers ", TypeToText(f->type_covered), ", not DNSKEY"));
    }
    // The signing key's identifier: the first key of the bundle with the RRSIG's tag and algorithm.
    std::string identifier;
    for (size_t i = 0; i < b.dnskeys.size() && i < b.key_identifiers.size(); ++i) {
      if (KeyTag(b.dnskeys[i].rdata) == f->key_tag && DnskeyAlgorithm(b.dnskeys[i].rdata) == f->algorithm) {
        identifier = b.key_identifiers[i];
        break;
      }
    }
    out += identifier.empty() ? "<Signature>\n" : Cat("<Signature keyIdentifier=\"", Escaped(identifier), "\">\n");
    Element(out, "TTL", Cat(r.ttl));
    Element(out, "TypeCovered", TypeToText(f->type_covered));
    Element(out, "Algorithm", Cat(int{f->algorithm}));
    Element(out, "Labels", Cat(int{f->labels}));
    Element(out, "OriginalTTL", Cat(f->original_ttl));
    Element(out, "SignatureExpiration", XmlTime(absl::FromUnixSeconds(f->expiration)));
    Element(out, "SignatureInception", XmlTime(absl::FromUnixSeconds(f->inception)));
    Element(out, "KeyTag", Cat(f->key_tag));
    Element(out, "SignersName", NameToText(f->signer));
    Element(out, "SignatureData", Base64Encode(f->signature));
    out += "</Signature>\n";
  }
  out += "</ResponseBundle>\n";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> FormatXsdDuration(absl::Duration d) {
  if (d < absl::ZeroDuration()) return absl::InvalidArgumentError("negative duration");
  if (d % absl::Seconds(1) != absl::ZeroDuration()) return absl::InvalidArgumentError("fraction of a second");
  int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds == 0) return std::string("PT0S");
  const int64_t days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60;
  seconds %= 60;
  std::string out = "P";
  if (days != 0) out += Cat(days, "D");
  if (hours != 0 || minutes != 0 || seconds != 0) out += "T";
  if (hours != 0) out += Cat(hours, "H");
  if (minutes != 0) out += Cat(minutes, "M");
  if (seconds != 0) out += Cat(seconds, "S");
  return out;
}

absl::StatusOr<std::string> WriteSkrXml(const SignedKeyResponse& skr) {
  if (!skr.has_policy) return absl::InvalidArgumentError("no response policy (Knot's format has none) to write");
  if (skr.domain != ".") return absl::InvalidArgumentError(Cat("domain '", skr.domain, "' is not the root"));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += Cat("<KSR id=\"", Escaped(skr.id), "\" domain=\".\" serial=\"", skr.serial, "\">\n<Response>\n");
  out += "<ResponsePolicy>\n";
  if (absl::Status s = WritePolicy(out, "KSK", skr.ksk_policy); !s.ok()) return s;
  if (absl::Status s = WritePolicy(out, "ZSK", skr.zsk_policy); !s.ok()) return s;
  out += "</ResponsePolicy>\n";
  for (const SkrBundle& b : skr.bundles) {
    if (absl::Status s = WriteBundle(out, b); !s.ok()) {
      return absl::InvalidArgumentError(Cat("bundle ", b.id, ": ", s.message()));
    }
  }
  out += "</Response>\n</KSR>\n";
  return out;
}

}  // namespace rootd::zone
