// `rootlab scenario`: a lab's key rollover on an accelerated schedule, as an SKR rootd serves by
// its clock. Every bundle takes one slot; slots are aligned to the wall clock (multiples of the
// slot length since the Unix epoch), so a scenario started now begins with the current slot and
// a test or a user can tell when each phase starts. The keys come from the lab's key store
// (lab_keystore.h); a plan that needs more keys makes them there once (KSK-B, ZSK-2, the new
// algorithm's KSK-ALG<n> and ZSK-ALG<n>), so later scenarios of the lab use the same keys.
//
// An SKR only changes the DNSKEY RRset. Plans that change who signs the zone's other RRsets
// (zsk-roll, algorithm-roll) also give the zone re-signed for their later phases; each must be
// loaded (`rootctl reload FILE`) inside its window: after `load_after` (its keys are published)
// and before `load_before` (the bundles stop publishing the keys of the zone it replaces).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/lab_keystore.h"
#include "zone/lab_rollover.h"
#include "zone/skr.h"
#include "zone/zone.h"

namespace rootd::zone {

enum class LabPlan : uint8_t {
  // normal, publish KSK-B for the add hold-down, roll (B signs), revoke A (for as long again,
  // so that resolvers refresh while A is revoked), remove.
  kKskRoll,
  // normal, then at once A revoked and B signing, then remove: no pre-publication, so RFC 5011
  // resolvers cannot follow (and lint rejects it: RFC5011-HOLD-DOWN).
  kEmergency,
  // normal, then KSK-B published beside A for good, A signing: a standby key resolvers trust.
  kStandbyKey,
  // Pre-publication (RFC 6781 4.1.1.1): normal, zsk-publish (ZSK-2 beside ZSK-1, two slots so
  // that cached DNSKEY RRsets expire), zsk-roll (the zone signed by ZSK-2; ZSK-1 still
  // published for cached signatures, two slots), zsk-remove. One zone change: ZSK-2's zone.
  kZskRoll,
  // Double signing (RFC 6781 4.1.4) to another algorithm (ECDSA P-256, or Ed25519 from it):
  // normal, alg-double (the new KSK and ZSK published, the zone and the DNSKEY RRset signed with
  // both algorithms, for the add hold-down), alg-revoke (the old KSK revoked, as long), alg-new
  // (the new algorithm's keys alone). Zone changes: the double-signed zone, the new one's.
  kAlgorithmRoll,
};
// "ksk-roll", "emergency", "standby-key", "zsk-roll", "algorithm-roll".
std::string_view LabPlanName(LabPlan plan);
std::optional<LabPlan> ParseLabPlan(std::string_view name);

struct LabScenarioOptions {
  LabPlan plan = LabPlan::kKskRoll;
  absl::Duration slot = absl::Seconds(10);       // whole seconds
  absl::Time start = absl::Now();                // rounded down to its slot's start
  absl::Duration hold_down = absl::Seconds(20);  // the resolvers' RFC 5011 add hold-down
  uint32_t dnskey_ttl = 0;                       // 0: one slot, so that resolvers refresh every slot
  // Every bundle's signatures stay valid this long after the last bundle's slot ends: rootd
  // serves the last bundle on after its slot (and warns of signatures expiring within 7 days).
  // Zone files' signatures are valid as long.
  absl::Duration valid_after_end = absl::Hours(24 * 14);
  std::string root_zone;  // the lab's root.zone, re-signed by plans that change the zone
};

struct LabZoneChange {
  std::string phase;               // the phase it is for
  std::vector<Record> records;     // the signed zone, in output order
  absl::Time load_after, load_before;
};

struct LabScenario {
  SignedKeyResponse skr;            // one bundle per slot, ids "<slot>-<phase>" ("3-publish")
  std::vector<std::string> phases;  // per bundle
  std::vector<LabZoneChange> zones;
  // Every KSK the scenario publishes, unrevoked: a trust anchor under which each of its zone
  // files verifies (rootd --trust-anchor checks the zone file it loads).
  std::vector<SigningKey> ksks;
  absl::Duration slot;
  absl::Duration hold_down;
};

// The start of the slot holding `t`: a multiple of `slot` since the Unix epoch.
absl::Time SlotStart(absl::Time t, absl::Duration slot);

// The add hold-down takes ceil(hold_down / slot) + 1 slots of publication before a new KSK
// signs (a resolver may first see it only after the slot starts).
int64_t HoldDownSlots(absl::Duration slot, absl::Duration hold_down);

absl::StatusOr<LabScenario> MakeLabScenario(LabKeyStore& store, const LabScenarioOptions& options);

}  // namespace rootd::zone
