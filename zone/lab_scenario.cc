#include "zone/lab_scenario.h"

#include <utility>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

constexpr std::string_view kPlanNames[] = {"ksk-roll", "emergency", "standby-key"};  // in LabPlan's order

void Add(std::vector<LabPhase>& out, LabPhase phase, int64_t slots) { out.insert(out.end(), slots, phase); }

}  // namespace

std::string_view LabPlanName(LabPlan plan) { return kPlanNames[static_cast<size_t>(plan)]; }

std::optional<LabPlan> ParseLabPlan(std::string_view name) {
  for (size_t i = 0; i < std::size(kPlanNames); ++i) {
    if (kPlanNames[i] == name) return static_cast<LabPlan>(i);
  }
  return std::nullopt;
}

absl::Time SlotStart(absl::Time t, absl::Duration slot) {
  return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), slot);
}

std::vector<LabPhase> LabPlanPhases(LabPlan plan, absl::Duration slot, absl::Duration hold_down) {
  const int64_t hold_slots = absl::Ceil(hold_down, slot) / slot + 1;
  std::vector<LabPhase> out{LabPhase::kNormal};
  switch (plan) {
    case LabPlan::kKskRoll:
      Add(out, LabPhase::kPublish, hold_slots);
      Add(out, LabPhase::kRoll, 1);
      Add(out, LabPhase::kRevoke, hold_slots);
      Add(out, LabPhase::kRemove, 1);
      break;
    case LabPlan::kEmergency:
      Add(out, LabPhase::kRevoke, hold_slots);
      Add(out, LabPhase::kRemove, 1);
      break;
    case LabPlan::kStandbyKey:
      Add(out, LabPhase::kPublish, hold_slots + 1);
      break;
  }
  return out;
}

absl::StatusOr<LabScenario> MakeLabScenario(LabKeyStore& store, const LabScenarioOptions& options) {
  if (options.slot < absl::Seconds(1) || absl::Floor(options.slot, absl::Seconds(1)) != options.slot) {
    return absl::InvalidArgumentError("the slot must be a whole number of seconds, at least one");
  }
  if (options.hold_down < absl::ZeroDuration()) return absl::InvalidArgumentError("negative hold-down");
  if (store.Find("KSK-A") == nullptr || store.Find("ZSK-1") == nullptr) {
    return absl::FailedPreconditionError(Cat(store.folder(), " has no KSK-A and ZSK-1 (rootlab init makes them)"));
  }
  // Copies: GetOrCreate may add to the store.
  const SigningKey ksk_a = store.Find("KSK-A")->key;
  const SigningKey zsk_1 = store.Find("ZSK-1")->key;
  const uint8_t algorithm = ksk_a.algorithm();
  absl::StatusOr<SigningKey> ksk_b = store.GetOrCreate("KSK-B", true, algorithm);
  if (!ksk_b.ok()) return ksk_b.status();

  LabScenario scenario;
  scenario.slot = options.slot;
  scenario.hold_down = options.hold_down;
  scenario.phases = LabPlanPhases(options.plan, options.slot, options.hold_down);
  LabSkrOptions skr;
  skr.phases = scenario.phases;
  skr.first_inception = SlotStart(options.start, options.slot);
  skr.slot = options.slot;
  // One validity for every bundle (the policy has one): the last stays valid for
  // valid_after_end past its slot.
  skr.validity = options.slot * static_cast<int64_t>(scenario.phases.size()) + options.valid_after_end;
  skr.dnskey_ttl = options.dnskey_ttl != 0 ? options.dnskey_ttl
                                           : static_cast<uint32_t>(absl::ToInt64Seconds(options.slot));
  LabKeySpec spec;
  spec.algorithm = algorithm;
  // These plans roll no ZSK: ZSK-2 is never published.
  const LabRolloverKeys keys{ksk_a, *ksk_b, zsk_1, zsk_1, spec, spec};
  absl::StatusOr<SignedKeyResponse> made = MakeLabSkr(keys, skr);
  if (!made.ok()) return made.status();
  scenario.skr = *std::move(made);
  scenario.skr.id = Cat("rootlab-", LabPlanName(options.plan));
  return scenario;
}

}  // namespace rootd::zone
