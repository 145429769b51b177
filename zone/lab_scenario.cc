#include "zone/lab_scenario.h"

#include <utility>

#include "absl/status/status.h"
#include "zone/master_reader.h"
#include "zone/root_signing.h"
#include "zone/rr_types.h"
#include "zone/signer.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

constexpr std::string_view kPlanNames[] = {"ksk-roll", "emergency", "standby-key", "zsk-roll",
                                           "algorithm-roll"};  // in LabPlan's order

struct Published {
  const SigningKey* key;
  std::string_view name;
  bool signs;
};

LabKeySet KeySet(std::initializer_list<Published> keys) {
  LabKeySet set;
  for (const Published& p : keys) {
    set.published.push_back(*p.key);
    set.names.emplace_back(p.name);
    if (p.signs) set.signers.push_back(*p.key);
  }
  return set;
}

// A phase of `slots` slots publishing `keys`.
struct Step {
  std::string phase;
  int64_t slots;
  LabKeySet keys;
};

// A zone re-signed with `ksks` and `zsks`, for phase `phase`, to be loaded from the start of
// step `after` to the start of step `before` (bundle indexes computed from the steps).
struct ZoneSigning {
  std::string phase;
  std::vector<SigningKey> ksks, zsks;
  size_t after, before;  // step indexes; `after_last_slot`: from the last slot of step `after`
  bool after_last_slot = false;
};

struct Plan {
  std::vector<Step> steps;
  std::vector<ZoneSigning> zones;
  std::vector<SigningKey> ksks;  // unrevoked
};

absl::StatusOr<Plan> PlanFor(LabKeyStore& store, const LabScenarioOptions& options) {
  if (store.Find("KSK-A") == nullptr || store.Find("ZSK-1") == nullptr) {
    return absl::FailedPreconditionError(Cat(store.folder(), " has no KSK-A and ZSK-1 (rootlab init makes them)"));
  }
  // Copies: GetOrCreate may add to the store.
  const SigningKey a = store.Find("KSK-A")->key;
  const SigningKey z1 = store.Find("ZSK-1")->key;
  const SigningKey a_revoked = a.WithFlags(static_cast<uint16_t>(a.flags() | dns::kDnskeyRevoke));
  const uint8_t algorithm = a.algorithm();
  const int64_t hold = HoldDownSlots(options.slot, options.hold_down);
  Plan plan;
  plan.ksks = {a};
  plan.steps.push_back({"normal", 1, KeySet({{&a, "KSK-A", true}, {&z1, "ZSK-1", false}})});
  if (options.plan == LabPlan::kZskRoll) {
    absl::StatusOr<SigningKey> z2 = store.GetOrCreate("ZSK-2", false, algorithm);
    if (!z2.ok()) return z2.status();
    const LabKeySet both = KeySet({{&a, "KSK-A", true}, {&z1, "ZSK-1", false}, {&*z2, "ZSK-2", false}});
    plan.steps.push_back({"zsk-publish", 2, both});
    plan.steps.push_back({"zsk-roll", 2, both});
    plan.steps.push_back({"zsk-remove", 1, KeySet({{&a, "KSK-A", true}, {&*z2, "ZSK-2", false}})});
    plan.zones.push_back({"zsk-roll", {a}, {*z2}, 2, 3});
    return plan;
  }
  if (options.plan == LabPlan::kAlgorithmRoll) {
    const uint8_t target = algorithm == dns::kAlgEcdsaP256 ? dns::kAlgEd25519 : dns::kAlgEcdsaP256;
    const std::string an_name = Cat("KSK-ALG", int{target}), zn_name = Cat("ZSK-ALG", int{target});
    absl::StatusOr<SigningKey> an = store.GetOrCreate(an_name, true, target);
    if (!an.ok()) return an.status();
    absl::StatusOr<SigningKey> zn = store.GetOrCreate(zn_name, false, target);
    if (!zn.ok()) return zn.status();
    plan.ksks.push_back(*an);
    plan.steps.push_back({"alg-double", hold,
                          KeySet({{&a, "KSK-A", true}, {&z1, "ZSK-1", false}, {&*an, an_name, true},
                                  {&*zn, zn_name, false}})});
    plan.steps.push_back({"alg-revoke", hold,
                          KeySet({{&a_revoked, "KSK-A", true}, {&z1, "ZSK-1", false}, {&*an, an_name, true},
                                  {&*zn, zn_name, false}})});
    plan.steps.push_back({"alg-new", 1, KeySet({{&*an, an_name, true}, {&*zn, zn_name, false}})});
    plan.zones.push_back({"alg-double", {a, *an}, {z1, *zn}, 1, 2});
    // The new algorithm's zone once resolvers hold the double-signed one's keys: in the last
    // revocation slot, before the old ZSK leaves the DNSKEY RRset.
    plan.zones.push_back({"alg-new", {*an}, {*zn}, 2, 3, true});
    return plan;
  }
  absl::StatusOr<SigningKey> b = store.GetOrCreate("KSK-B", true, algorithm);
  if (!b.ok()) return b.status();
  plan.ksks.push_back(*b);
  const LabKeySet revoke = KeySet({{&a_revoked, "KSK-A", true}, {&*b, "KSK-B", true}, {&z1, "ZSK-1", false}});
  const LabKeySet remove = KeySet({{&*b, "KSK-B", true}, {&z1, "ZSK-1", false}});
  switch (options.plan) {
    case LabPlan::kKskRoll:
      plan.steps.push_back({"publish", hold, KeySet({{&a, "KSK-A", true}, {&*b, "KSK-B", false}, {&z1, "ZSK-1", false}})});
      plan.steps.push_back({"roll", 1, KeySet({{&a, "KSK-A", false}, {&*b, "KSK-B", true}, {&z1, "ZSK-1", false}})});
      plan.steps.push_back({"revoke", hold, revoke});
      plan.steps.push_back({"remove", 1, remove});
      break;
    case LabPlan::kEmergency:
      plan.steps.push_back({"revoke", hold, revoke});
      plan.steps.push_back({"remove", 1, remove});
      break;
    default:  // kStandbyKey
      plan.steps.push_back(
          {"standby", hold + 1, KeySet({{&a, "KSK-A", true}, {&*b, "KSK-B", false}, {&z1, "ZSK-1", false}})});
      break;
  }
  return plan;
}

// The lab's root zone content with its serial raised by `increment`, re-signed.
absl::StatusOr<std::vector<Record>> Resign(const std::vector<Record>& content, uint32_t increment,
                                           const ZoneSigning& signing, const SignatureValidity& validity) {
  std::vector<Record> records = content;
  for (Record& r : records) {
    if (r.type != dns::kTypeSoa || r.owner.size() != 1 || r.rdata.size() < 20) continue;
    std::string serial;
    Put32(serial, Get32(r.rdata, r.rdata.size() - 20) + increment);
    r.rdata.replace(r.rdata.size() - 20, 4, serial);
  }
  RootSigningOptions options;
  options.ksks = signing.ksks;
  options.zsks = signing.zsks;
  options.validity = validity;
  return SignRootZone(std::move(records), options);
}

}  // namespace

std::string_view LabPlanName(LabPlan plan) { return kPlanNames[static_cast<size_t>(plan)]; }

std::optional<LabPlan> ParseLabPlan(std::string_view name) { return EnumFromName<LabPlan>(kPlanNames, name); }

absl::Time SlotStart(absl::Time t, absl::Duration slot) {
  return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), slot);
}

int64_t HoldDownSlots(absl::Duration slot, absl::Duration hold_down) { return absl::Ceil(hold_down, slot) / slot + 1; }

absl::StatusOr<LabScenario> MakeLabScenario(LabKeyStore& store, const LabScenarioOptions& options) {
  if (options.slot < absl::Seconds(1) || absl::Floor(options.slot, absl::Seconds(1)) != options.slot) {
    return absl::InvalidArgumentError("the slot must be a whole number of seconds, at least one");
  }
  if (options.hold_down < absl::ZeroDuration()) return absl::InvalidArgumentError("negative hold-down");
  absl::StatusOr<Plan> plan = PlanFor(store, options);
  if (!plan.ok()) return plan.status();

  LabScenario scenario;
  scenario.slot = options.slot;
  scenario.hold_down = options.hold_down;
  scenario.ksks = plan->ksks;
  std::vector<LabSlot> slots;
  std::vector<size_t> step_start;  // the bundle index each step starts at, and one past the last
  for (const Step& step : plan->steps) {
    step_start.push_back(slots.size());
    for (int64_t i = 0; i < step.slots; ++i) {
      slots.push_back({step.phase, step.keys});
      scenario.phases.push_back(step.phase);
    }
  }
  step_start.push_back(slots.size());
  LabSkrOptions skr;
  skr.first_inception = SlotStart(options.start, options.slot);
  skr.slot = options.slot;
  // One validity for every bundle (the policy has one): the last stays valid for
  // valid_after_end past its slot.
  skr.validity = options.slot * static_cast<int64_t>(slots.size()) + options.valid_after_end;
  skr.dnskey_ttl = options.dnskey_ttl != 0 ? options.dnskey_ttl
                                           : static_cast<uint32_t>(absl::ToInt64Seconds(options.slot));
  LabKeySpec spec;
  spec.algorithm = plan->ksks.front().algorithm();
  absl::StatusOr<SignedKeyResponse> made = MakeLabSkr(slots, spec, spec, skr);
  if (!made.ok()) return made.status();
  scenario.skr = *std::move(made);
  scenario.skr.id = Cat("rootlab-", LabPlanName(options.plan));

  if (plan->zones.empty()) return scenario;
  if (options.root_zone.empty()) return absl::InvalidArgumentError("this plan re-signs the zone: which root.zone?");
  absl::StatusOr<Zone> root = ReadMasterFile(options.root_zone);
  if (!root.ok()) return root.status();
  const std::vector<Record> content = StripDnssecRecords(root->records());
  const SignatureValidity validity = SignatureValidity::Between(skr.first_inception - absl::Hours(1),
                                                                skr.first_inception + skr.validity);
  for (size_t i = 0; i < plan->zones.size(); ++i) {
    const ZoneSigning& signing = plan->zones[i];
    absl::StatusOr<std::vector<Record>> records = Resign(content, static_cast<uint32_t>(i + 1), signing, validity);
    if (!records.ok()) return records.status();
    const size_t after = signing.after_last_slot ? step_start[signing.after + 1] - 1 : step_start[signing.after];
    scenario.zones.push_back({signing.phase, *std::move(records), scenario.skr.bundles[after].inception,
                              scenario.skr.bundles[step_start[signing.before]].inception});
  }
  return scenario;
}

}  // namespace rootd::zone
