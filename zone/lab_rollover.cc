#include "zone/lab_rollover.h"

#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/signer.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

// The ceremonies' safety margins (the 2017 SKRs' <ResponsePolicy>); rootd does not use them.
SkrPolicy LabPolicy(const LabKeySpec& spec, const LabSkrOptions& options, absl::Duration publish_safety,
                    absl::Duration retire_safety) {
  SkrPolicy p;
  p.publish_safety = publish_safety;
  p.retire_safety = retire_safety;
  p.max_signature_validity = p.min_signature_validity = options.validity;
  p.max_validity_overlap = p.min_validity_overlap = options.validity - options.slot;
  p.algorithm = spec.algorithm;
  if (spec.algorithm == dns::kAlgRsaSha256) {
    p.rsa_size = static_cast<uint32_t>(spec.rsa_bits);
    p.rsa_exponent = 65537;  // signing_key.cc's
  } else {
    p.ecdsa_size = 256;  // P-256, the other algorithm SigningKey makes
  }
  return p;
}

}  // namespace

std::string_view LabPhaseName(LabPhase phase) {
  // In the enum's order.
  static constexpr std::string_view kNames[] = {"normal", "publish",  "roll", "revoke",
                                                "remove", "zsk-roll", "revoke-zsk-roll"};
  return kNames[static_cast<size_t>(phase)];
}

absl::StatusOr<LabRolloverKeys> LabRolloverKeys::FromSeed(uint64_t seed, const LabKeySpec& ksk_spec,
                                                          const LabKeySpec& zsk_spec) {
  // Unrevoked: a phase revokes KSK-A itself (WithFlags).
  LabKeySpec ksk = ksk_spec, zsk = zsk_spec;
  ksk.revoked = zsk.revoked = false;
  absl::StatusOr<SigningKey> derived[4] = {
      LabKeyFromSeed(seed, LabKeyRole::kKsk, 1, ksk), LabKeyFromSeed(seed, LabKeyRole::kKsk, 2, ksk),
      LabKeyFromSeed(seed, LabKeyRole::kZsk, 1, zsk), LabKeyFromSeed(seed, LabKeyRole::kZsk, 2, zsk)};
  for (const absl::StatusOr<SigningKey>& k : derived) {
    if (!k.ok()) return k.status();
  }
  return LabRolloverKeys{*std::move(derived[0]), *std::move(derived[1]), *std::move(derived[2]),
                         *std::move(derived[3]), ksk, zsk};
}

LabKeySet LabPhaseKeys(const LabRolloverKeys& keys, LabPhase phase) {
  const SigningKey a_revoked = keys.ksk_a.WithFlags(static_cast<uint16_t>(kKskFlags | dns::kDnskeyRevoke));
  LabKeySet set;
  auto publish = [&set](const SigningKey& key, const char* name, bool signs) {
    set.published.push_back(key);
    set.names.emplace_back(name);
    if (signs) set.signers.push_back(key);
  };
  switch (phase) {
    case LabPhase::kNormal:
    case LabPhase::kZskRoll:
      publish(keys.ksk_a, "KSK-A", true);
      break;
    case LabPhase::kPublish:
    case LabPhase::kRoll:
      publish(keys.ksk_a, "KSK-A", phase == LabPhase::kPublish);
      publish(keys.ksk_b, "KSK-B", phase == LabPhase::kRoll);
      break;
    case LabPhase::kRevoke:
    case LabPhase::kRevokeZskRoll:
      publish(a_revoked, "KSK-A", true);
      publish(keys.ksk_b, "KSK-B", true);
      break;
    case LabPhase::kRemove:
      publish(keys.ksk_b, "KSK-B", true);
      break;
  }
  publish(keys.zsk_1, "ZSK-1", false);
  if (phase == LabPhase::kZskRoll || phase == LabPhase::kRevokeZskRoll) publish(keys.zsk_2, "ZSK-2", false);
  return set;
}

absl::StatusOr<SkrBundle> SignDnskeyBundle(const std::vector<std::string>& rdatas, const std::vector<std::string>& names,
                                           const std::vector<SigningKey>& signers, std::string id,
                                           absl::Time inception, absl::Time expiration, uint32_t dnskey_ttl,
                                           absl::Time signature_inception) {
  if (signers.empty()) return absl::InvalidArgumentError("a bundle needs a key signing its DNSKEY RRset");
  SkrBundle bundle;
  bundle.id = std::move(id);
  bundle.inception = inception;
  bundle.expiration = expiration;
  RrsetToSign rrset{kRoot, dns::kTypeDnskey, dns::kClassIn, dnskey_ttl, {}};
  for (size_t i = 0; i < rdatas.size(); ++i) {
    bundle.dnskeys.push_back(
        Record{.owner = kRoot, .type = dns::kTypeDnskey, .rclass = dns::kClassIn, .ttl = dnskey_ttl, .rdata = rdatas[i]});
    bundle.stated_key_tags.push_back(KeyTag(rdatas[i]));
    bundle.key_identifiers.push_back(i < names.size() ? names[i] : "");
    rrset.rdatas.push_back(rdatas[i]);
  }
  const SignatureValidity validity = SignatureValidity::Between(signature_inception, expiration);
  for (const SigningKey& signer : signers) {
    absl::StatusOr<Record> rrsig = SignRrset(signer, rrset, validity);
    if (!rrsig.ok()) return rrsig.status();
    bundle.signatures.push_back(*std::move(rrsig));
  }
  return bundle;
}

absl::StatusOr<SkrBundle> SignLabBundle(const LabKeySet& keys, std::string id, absl::Time inception,
                                        absl::Time expiration, uint32_t dnskey_ttl) {
  std::vector<std::string> rdatas;
  for (const SigningKey& key : keys.published) rdatas.push_back(key.dnskey_rdata());
  return SignDnskeyBundle(rdatas, keys.names, keys.signers, std::move(id), inception, expiration, dnskey_ttl,
                          inception);
}

absl::StatusOr<SignedKeyResponse> MakeLabSkr(const LabRolloverKeys& keys, const LabSkrOptions& options) {
  std::vector<LabSlot> slots;
  for (LabPhase phase : options.phases) slots.push_back({std::string(LabPhaseName(phase)), LabPhaseKeys(keys, phase)});
  return MakeLabSkr(slots, keys.ksk_spec, keys.zsk_spec, options);
}

absl::StatusOr<SignedKeyResponse> MakeLabSkr(const std::vector<LabSlot>& slots, const LabKeySpec& ksk_spec,
                                             const LabKeySpec& zsk_spec, const LabSkrOptions& options) {
  if (slots.empty()) return absl::InvalidArgumentError("no phases");
  if (options.slot <= absl::ZeroDuration() || options.validity < options.slot) {
    return absl::InvalidArgumentError("slots must be positive and no longer than a bundle's validity");
  }
  SignedKeyResponse skr;
  skr.format = SignedKeyResponse::Format::kIanaXml;
  skr.file = "lab rollover";
  skr.id = "lab-rollover";
  skr.domain = ".";
  skr.has_policy = true;
  skr.ksk_policy = LabPolicy(ksk_spec, options, absl::ZeroDuration(), absl::Hours(24 * 28));
  skr.zsk_policy = LabPolicy(zsk_spec, options, absl::Hours(24 * 10), absl::Hours(24 * 10));
  for (size_t i = 0; i < slots.size(); ++i) {
    const absl::Time inception = options.first_inception + options.slot * static_cast<int64_t>(i);
    absl::StatusOr<SkrBundle> bundle = SignLabBundle(slots[i].keys, Cat(i + 1, "-", slots[i].phase), inception,
                                                     inception + options.validity, options.dnskey_ttl);
    if (!bundle.ok()) return bundle.status();
    skr.bundles.push_back(*std::move(bundle));
  }
  return skr;
}

}  // namespace rootd::zone
