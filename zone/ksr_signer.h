// The lab's key ceremony: a Key Signing Request (skr.h's ReadKsrFile, IANA XML or Knot's text)
// signed with the lab's KSKs into a Signed Key Response of the same format, per one of the
// ceremony's schemas, which say per bundle which KSKs are published and which sign:
//   normal       current publishes and signs, in every bundle
//   pre-publish  the first bundle as normal, then current and next published, current signs
//   rollover     current and next published, next signs
//   revoke       the first bundle as rollover, then current with REVOKE and next published and
//                both signing (RFC 5011 2.1), the last bundle next alone (as the root's 2019 Q1
//                SKR revoked KSK-2010 from its second slot and left it out of its ninth)
// The response's DNSKEY RRset is those KSKs and the request's keys, with the request's TTL;
// its RRSIGs are valid over the request bundle's inception to expiration (a Knot KSR states no
// expiration: its snapshots are signed for `knot_validity` from 90 minutes before their time,
// as keymgr sign-ksr does).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/signing_key.h"
#include "zone/skr.h"

namespace rootd::zone {

enum class KsrSchema : uint8_t { kNormal, kPrePublish, kRollover, kRevoke };
// "normal", "pre-publish", "rollover", "revoke".
std::string_view KsrSchemaName(KsrSchema schema);
std::optional<KsrSchema> ParseKsrSchema(std::string_view name);

struct KsrSigningKeys {
  SigningKey current;                 // KSK-A
  std::optional<SigningKey> next;     // KSK-B: needed by every schema but normal
  std::string current_name = "KSK-A";  // the keyIdentifiers written
  std::string next_name = "KSK-B";
};

struct KsrSigningOptions {
  KsrSchema schema = KsrSchema::kNormal;
  absl::Duration knot_validity = absl::Hours(24 * 21);
};

absl::StatusOr<SignedKeyResponse> SignKsr(const SignedKeyResponse& ksr, const KsrSigningKeys& keys,
                                          const KsrSigningOptions& options);

// Knot's SKR text as `keymgr sign-ksr` writes it (";; SignedKeyResponse 1.0 <unix> (<time>) ===",
// the bundle's DNSKEY and RRSIG records, a closing "generated at" line): skr.h reads it back,
// and Knot's `keymgr import-skr` takes it.
std::string WriteKnotSkr(const SignedKeyResponse& skr, absl::Time generated_at);

}  // namespace rootd::zone
