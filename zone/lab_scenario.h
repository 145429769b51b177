// `rootlab scenario`: a lab's key rollover on an accelerated schedule, as an SKR rootd serves by
// its clock. Every bundle takes one slot; slots are aligned to the wall clock (multiples of the
// slot length since the Unix epoch), so a scenario started now begins with the current slot and
// a test or a user can tell when each phase starts. The keys come from the lab's key store
// (lab_keystore.h); a plan that needs another KSK makes it there (KSK-B), so the same key is
// used again by later scenarios of the lab.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/lab_keystore.h"
#include "zone/lab_rollover.h"
#include "zone/skr.h"

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
};
// "ksk-roll", "emergency", "standby-key".
std::string_view LabPlanName(LabPlan plan);
std::optional<LabPlan> ParseLabPlan(std::string_view name);

struct LabScenarioOptions {
  LabPlan plan = LabPlan::kKskRoll;
  absl::Duration slot = absl::Seconds(10);  // whole seconds
  absl::Time start = absl::Now();           // rounded down to its slot's start
  absl::Duration hold_down = absl::Seconds(20);  // the resolvers' RFC 5011 add hold-down
  uint32_t dnskey_ttl = 0;                  // 0: one slot, so that resolvers refresh every slot
  // Every bundle's signatures stay valid this long after the last bundle's slot ends: rootd
  // serves the last bundle on after its slot.
  absl::Duration valid_after_end = absl::Hours(24);
};

struct LabScenario {
  SignedKeyResponse skr;          // one bundle per slot, ids "<slot>-<phase>" ("3-publish")
  std::vector<LabPhase> phases;   // per bundle
  absl::Duration slot;
  absl::Duration hold_down;
};

// The start of the slot holding `t`: a multiple of `slot` since the Unix epoch.
absl::Time SlotStart(absl::Time t, absl::Duration slot);

// The phase of each slot of `plan`: the add hold-down takes ceil(hold_down / slot) + 1 slots of
// publication before the new key signs (a resolver may first see it only after the slot starts).
std::vector<LabPhase> LabPlanPhases(LabPlan plan, absl::Duration slot, absl::Duration hold_down);

// The scenario's SKR, signed with the lab's KSK-A (and KSK-B, made in `store` if the plan
// needs it and the lab has none) over its ZSK-1.
absl::StatusOr<LabScenario> MakeLabScenario(LabKeyStore& store, const LabScenarioOptions& options);

}  // namespace rootd::zone
