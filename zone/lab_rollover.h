// The lab's KSK rollover, as signature bundles: four keys derived from the lab zone's seed
// (KSK-A and ZSK-1 are the lab zone's own KSK and ZSK, KSK-B and ZSK-2 the next of each
// series, lab_zone.h's LabKeyFromSeed), the DNSKEY RRset of each phase of an RFC 5011 KSK
// rollover and of a ZSK roll, and SKRs of such bundles, signed like a ceremony's, for rootd to
// swap in (skr.h reads them, skr_writer.h writes them).
#pragma once
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/lab_zone.h"
#include "zone/signing_key.h"
#include "zone/skr.h"

namespace rootd::zone {

// The phases, in the order of a rollover (RFC 5011; the root's 2017-2018 roll).
enum class LabPhase : uint8_t {
  kNormal,         // KSK-A + ZSK-1, signed by A
  kPublish,        // A + B + ZSK-1, signed by A: B's add hold-down runs
  kRoll,           // A + B + ZSK-1, signed by B
  kRevoke,         // A (REVOKE) + B + ZSK-1, signed by revoked A (RFC 5011 2.1: it must sign) and B
  kRemove,         // B + ZSK-1, signed by B
  kZskRoll,        // A + ZSK-1 + ZSK-2, signed by A (ZSK-2 pre-published)
  kRevokeZskRoll,  // A (REVOKE) + B + ZSK-1 + ZSK-2, signed by revoked A and B: the largest response
};
inline constexpr LabPhase kAllLabPhases[] = {LabPhase::kNormal, LabPhase::kPublish,  LabPhase::kRoll,
                                             LabPhase::kRevoke, LabPhase::kRemove,   LabPhase::kZskRoll,
                                             LabPhase::kRevokeZskRoll};
// "normal", "publish", "roll", "revoke", "remove", "zsk-roll", "revoke-zsk-roll".
std::string_view LabPhaseName(LabPhase phase);

// A quarter of 9 slots that passes `skrtool lint --hold-down P10D` with 10-day slots: every phase
// once, in an order a resolver can follow (B published one slot before it signs), the last two
// slots padded with `remove` (a quarter has 9 bundles).
inline constexpr LabPhase kLabQuarter[] = {
    LabPhase::kNormal, LabPhase::kZskRoll, LabPhase::kPublish, LabPhase::kRoll,   LabPhase::kRevokeZskRoll,
    LabPhase::kRevoke, LabPhase::kRemove,  LabPhase::kRemove,  LabPhase::kRemove,
};

struct LabRolloverKeys {
  SigningKey ksk_a, ksk_b, zsk_1, zsk_2;
  LabKeySpec ksk_spec, zsk_spec;  // what they were derived with

  // KSK-A = the lab zone's KSK 1, KSK-B its KSK 2, ZSK-1 / ZSK-2 likewise, for `seed`.
  static absl::StatusOr<LabRolloverKeys> FromSeed(uint64_t seed, const LabKeySpec& ksk_spec = {},
                                                  const LabKeySpec& zsk_spec = {});
};

// A bundle's key plan: the DNSKEY RRset (KSKs first, then ZSKs) and the keys signing it. A
// revoked KSK appears as the same key with the REVOKE bit (another tag), in both lists.
struct LabKeySet {
  std::vector<SigningKey> published;
  std::vector<SigningKey> signers;
  // The XML keyIdentifier of each published key: "KSK-A", "KSK-B", "ZSK-1", "ZSK-2".
  std::vector<std::string> names;
};
LabKeySet LabPhaseKeys(const LabRolloverKeys& keys, LabPhase phase);

// The bundle of `keys`: the DNSKEY RRset (owner ".", class IN, `dnskey_ttl`) and one RRSIG over
// it per signer (signer.h's SignRrset), valid from `inception` to `expiration`, as the bundle.
// The general form, for keys of which only the public half is at hand (a KSR's ZSKs): a bundle
// of the DNSKEY RDATAs `rdatas` (keyIdentifiers `names`), signed by `signers`, the RRSIGs valid
// from `signature_inception` (which may precede the bundle's) to `expiration`.
absl::StatusOr<SkrBundle> SignDnskeyBundle(const std::vector<std::string>& rdatas, const std::vector<std::string>& names,
                                           const std::vector<SigningKey>& signers, std::string id,
                                           absl::Time inception, absl::Time expiration, uint32_t dnskey_ttl,
                                           absl::Time signature_inception);
absl::StatusOr<SkrBundle> SignLabBundle(const LabKeySet& keys, std::string id, absl::Time inception,
                                        absl::Time expiration, uint32_t dnskey_ttl = 172800);

struct LabSkrOptions {
  std::vector<LabPhase> phases{std::begin(kLabQuarter), std::end(kLabQuarter)};  // one bundle per slot
  absl::Time first_inception = absl::FromCivil(absl::CivilSecond(2027, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  // Slot i starts at first_inception + i * slot and is valid for `validity` (the ceremonies: 10
  // and 21 days, so consecutive bundles overlap by 11).
  absl::Duration slot = absl::Hours(24 * 10);
  absl::Duration validity = absl::Hours(24 * 21);
  uint32_t dnskey_ttl = 172800;
};

// An SKR of one bundle per phase in `options.phases`, ids "<slot>-<phase>" ("3-publish"), with a
// response policy matching it (validity, overlap = validity - slot, the keys' algorithm and
// size), so that WriteSkrXml can write it and `skrtool lint` check it.
absl::StatusOr<SignedKeyResponse> MakeLabSkr(const LabRolloverKeys& keys, const LabSkrOptions& options = {});

// The general form (options.phases unused): one bundle per slot, of that slot's keys, id
// "<slot>-<phase>"; the policy states `ksk_spec` and `zsk_spec`.
struct LabSlot {
  std::string phase;
  LabKeySet keys;
};
absl::StatusOr<SignedKeyResponse> MakeLabSkr(const std::vector<LabSlot>& slots, const LabKeySpec& ksk_spec,
                                             const LabKeySpec& zsk_spec, const LabSkrOptions& options);

}  // namespace rootd::zone
