#include "zone/ksr_signer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "zone/lab_rollover.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

constexpr std::string_view kSchemaNames[] = {"normal", "pre-publish", "rollover", "revoke"};  // KsrSchema's order
// keymgr sign-ksr backdates its signatures' inception by this much.
constexpr absl::Duration kKnotBackdating = absl::Minutes(90);

// The KSKs of bundle `index` (0-based) of `count` under `schema`, as RDATA with names, and the
// keys that sign.
struct KskPlan {
  std::vector<std::string> rdatas, names;
  std::vector<SigningKey> signers;

  void Add(const SigningKey& key, const std::string& name, bool signs) {
    rdatas.push_back(key.dnskey_rdata());
    names.push_back(name);
    if (signs) signers.push_back(key);
  }
};

KskPlan PlanFor(KsrSchema schema, size_t index, size_t count, const KsrSigningKeys& keys) {
  KskPlan plan;
  const SigningKey& current = keys.current;
  switch (schema) {
    case KsrSchema::kNormal:
      plan.Add(current, keys.current_name, true);
      break;
    case KsrSchema::kPrePublish:
      plan.Add(current, keys.current_name, true);
      if (index > 0) plan.Add(*keys.next, keys.next_name, false);
      break;
    case KsrSchema::kRollover:
      plan.Add(current, keys.current_name, false);
      plan.Add(*keys.next, keys.next_name, true);
      break;
    case KsrSchema::kRevoke:
      if (index == 0) {
        plan.Add(current, keys.current_name, false);
      } else if (index + 1 < count) {
        plan.Add(current.WithFlags(static_cast<uint16_t>(current.flags() | dns::kDnskeyRevoke)), keys.current_name, true);
      }
      plan.Add(*keys.next, keys.next_name, true);
      break;
  }
  return plan;
}

// The response policy: the request's ZSK policy, and a KSK policy stating what this response
// does (its signature validities and overlaps) with the root's safety margins.
void SetPolicy(SignedKeyResponse& skr, const SignedKeyResponse& ksr, const SigningKey& ksk) {
  skr.has_policy = true;
  skr.zsk_policy = ksr.zsk_policy;
  SkrPolicy& p = skr.ksk_policy;
  p.publish_safety = absl::ZeroDuration();
  p.retire_safety = absl::Hours(24 * 28);
  p.algorithm = ksk.algorithm();
  if (ksk.algorithm() == dns::kAlgRsaSha256) {
    p.rsa_size = static_cast<uint32_t>(8 * (ksk.dnskey_rdata().size() - 4 - 4));  // RFC 3110: exponent length, e = 65537 in 3
    p.rsa_exponent = 65537;
  } else {
    p.ecdsa_size = 256;
  }
  const std::vector<SkrBundle>& b = skr.bundles;
  p.min_signature_validity = p.max_signature_validity = b[0].expiration - b[0].inception;
  for (const SkrBundle& bundle : b) {
    p.min_signature_validity = std::min(p.min_signature_validity, bundle.expiration - bundle.inception);
    p.max_signature_validity = std::max(p.max_signature_validity, bundle.expiration - bundle.inception);
  }
  for (size_t i = 1; i < b.size(); ++i) {
    const absl::Duration overlap = b[i - 1].expiration - b[i].inception;
    p.min_validity_overlap = i == 1 ? overlap : std::min(p.min_validity_overlap, overlap);
    p.max_validity_overlap = i == 1 ? overlap : std::max(p.max_validity_overlap, overlap);
  }
}

}  // namespace

std::string_view KsrSchemaName(KsrSchema schema) { return kSchemaNames[static_cast<size_t>(schema)]; }

std::optional<KsrSchema> ParseKsrSchema(std::string_view name) { return EnumFromName<KsrSchema>(kSchemaNames, name); }

absl::StatusOr<SignedKeyResponse> SignKsr(const SignedKeyResponse& ksr, const KsrSigningKeys& keys,
                                          const KsrSigningOptions& options) {
  if (ksr.bundles.empty()) return absl::InvalidArgumentError("the KSR has no bundles");
  if (options.schema != KsrSchema::kNormal && !keys.next.has_value()) {
    return absl::InvalidArgumentError(Cat("the ", KsrSchemaName(options.schema), " schema needs the next KSK"));
  }
  const bool knot = ksr.format == SignedKeyResponse::Format::kKnotText;
  SignedKeyResponse skr;
  skr.format = ksr.format;
  skr.id = ksr.id;
  skr.domain = ksr.domain;
  skr.serial = ksr.serial;
  for (size_t i = 0; i < ksr.bundles.size(); ++i) {
    const SkrBundle& request = ksr.bundles[i];
    KskPlan plan = PlanFor(options.schema, i, ksr.bundles.size(), keys);
    // The request's keys after the KSKs, as the ceremonies' responses list them.
    for (size_t k = 0; k < request.dnskeys.size(); ++k) {
      plan.rdatas.push_back(request.dnskeys[k].rdata);
      plan.names.push_back(k < request.key_identifiers.size() ? request.key_identifiers[k] : "");
    }
    const absl::Time expiration = knot ? request.inception + options.knot_validity : request.expiration;
    const absl::Time signature_inception = knot ? request.inception - kKnotBackdating : request.inception;
    absl::StatusOr<SkrBundle> bundle =
        SignDnskeyBundle(plan.rdatas, plan.names, plan.signers, request.id, request.inception, expiration,
                         request.dnskeys.front().ttl, signature_inception);
    if (!bundle.ok()) return bundle.status();
    skr.bundles.push_back(*std::move(bundle));
  }
  if (!knot) SetPolicy(skr, ksr, keys.current);
  return skr;
}

std::string WriteKnotSkr(const SignedKeyResponse& skr, absl::Time generated_at) {
  std::string out;
  for (const SkrBundle& bundle : skr.bundles) {
    out += Cat(";; SignedKeyResponse 1.0 ", absl::ToUnixSeconds(bundle.inception), " (", FormatUtc(bundle.inception),
               ") =========\n");
    for (const std::vector<Record>* records : {&bundle.dnskeys, &bundle.signatures}) {
      for (const Record& r : *records) out += RecordToText(r) + "\n";
    }
  }
  out += Cat(";; SignedKeyResponse 1.0 generated at ", FormatUtc(generated_at), " by rootlab\n");
  return out;
}

}  // namespace rootd::zone
