// Signed Key Responses (SKR): the DNSKEY RRsets and their KSK signatures for a quarter, as
// bundles, each served from its inception until the next one's. Two formats are read:
//   - IANA's KSR/SKR XML of the root KSK ceremonies (schema ksr.rnc: <KSR><Response>
//     <ResponsePolicy/> <ResponseBundle id>...), with libxml2;
//   - Knot DNS's text snapshots as `keymgr ... sign-ksr` writes them (";; SignedKeyResponse 1.0 ...").
// A malformed file is refused naming the file, the element or line, and the reason.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/zone.h"

namespace rootd::zone {

// A <KSK> or <ZSK> response policy (XML only; Knot's format has none).
struct SkrPolicy {
  absl::Duration publish_safety, retire_safety;
  absl::Duration max_signature_validity, min_signature_validity;
  absl::Duration max_validity_overlap, min_validity_overlap;
  uint8_t algorithm = 0;
  uint32_t rsa_size = 0, rsa_exponent = 0;  // RSA algorithms
  uint32_t ecdsa_size = 0;                  // ECDSA algorithms

  friend bool operator==(const SkrPolicy&, const SkrPolicy&) = default;
};

// The policy's durations by their XML element names, in the schema's order (reader and writer).
struct SkrPolicyDuration {
  const char* element;
  absl::Duration SkrPolicy::*field;
};
inline constexpr SkrPolicyDuration kSkrPolicyDurations[] = {
    {"PublishSafety", &SkrPolicy::publish_safety},
    {"RetireSafety", &SkrPolicy::retire_safety},
    {"MaxSignatureValidity", &SkrPolicy::max_signature_validity},
    {"MinSignatureValidity", &SkrPolicy::min_signature_validity},
    {"MaxValidityOverlap", &SkrPolicy::max_validity_overlap},
    {"MinValidityOverlap", &SkrPolicy::min_validity_overlap},
};

struct SkrBundle {
  std::string id;  // the XML bundle id; for Knot, the inception in RFC 3339 UTC (its format has none)
  // XML: <Inception>, <Expiration>. Knot: the snapshot's time, and the latest RRSIG expiration.
  absl::Time inception, expiration;
  // Owner ".", class IN: the bundle's DNSKEY RRset and its RRSIGs (over DNSKEY), in wire-form
  // RDATA as zone/ uses everywhere. Record::line is the line the element starts on.
  std::vector<Record> dnskeys;
  std::vector<Record> signatures;
  // Per dnskeys[i]: the keyTag the file states (checked against the computed tag by skrtool
  // verify, not by the reader; Knot states none, so the computed tag stands in) and the XML
  // keyIdentifier (empty for Knot).
  std::vector<uint16_t> stated_key_tags;
  std::vector<std::string> key_identifiers;
  uint32_t line = 0;  // where the bundle starts
};

struct SignedKeyResponse {
  enum class Format : uint8_t { kIanaXml, kKnotText };
  Format format = Format::kIanaXml;
  std::string file;    // as given, for messages
  std::string id;      // <KSR id>
  std::string domain;  // <KSR domain>, "." for the root
  uint32_t serial = 0;
  bool has_policy = false;
  SkrPolicy ksk_policy, zsk_policy;
  std::vector<SkrBundle> bundles;  // in file order
};

// Reads `path`, telling the format from its first non-blank octets ('<' for XML, ";;" for Knot).
absl::StatusOr<SignedKeyResponse> ReadSkrFile(const std::string& path);
// A Key Signing Request, the ZSK side's half of the exchange, in the same structure: IANA's
// <KSR><Request> (<RequestPolicy> with a ZSK policy only, read into zsk_policy; <RequestBundle>s
// whose signatures, by the ZSKs, are optional) or Knot's ";; KeySigningRequest 1.0" snapshots
// (DNSKEY records only; each bundle's expiration is its inception). An SKR is refused.
absl::StatusOr<SignedKeyResponse> ReadKsrFile(const std::string& path);
absl::StatusOr<SignedKeyResponse> ParseSkrXml(std::string_view text, std::string_view file_name);
absl::StatusOr<SignedKeyResponse> ParseKnotSkr(std::string_view text, std::string_view file_name);

// An xsd:duration as the ceremony files write them (P21D, PT0S, P1DT12H, ...); years and
// months are refused (their length depends on the date), as kskm does.
absl::StatusOr<absl::Duration> ParseXsdDuration(std::string_view text);

}  // namespace rootd::zone
