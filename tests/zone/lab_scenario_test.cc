#include "zone/lab_scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/test_paths.h"
#include "zone/anchor_files.h"
#include "zone/dnssec_wire.h"
#include "zone/lab_init.h"
#include "zone/rr_types.h"
#include "zone/trust_anchor.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {
namespace {

using ::testing::ElementsAre;

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << error;
  return t;
}

// A lab of one TLD with `algorithm` keys, in a fresh folder; its key store.
LabKeyStore MakeLab(const std::string& name, uint8_t algorithm) {
  const std::string dir = testing::MakeTempDir("lab_scenario_" + name) + "/lab";
  LabInitOptions init;
  init.dir = dir;
  init.tld_count = 1;
  init.algorithm = algorithm;
  EXPECT_TRUE(InitLab(init).ok());
  return LabKeyStore::Open(dir).value();
}

LabScenarioOptions Options(LabPlan plan, const LabKeyStore& store) {
  LabScenarioOptions options;
  options.plan = plan;
  options.slot = absl::Seconds(4);
  options.hold_down = absl::Seconds(4);
  options.start = At("2026-12-06T21:39:17Z");
  options.root_zone = store.folder() + "/../root.zone";
  return options;
}

// The names of the keys each bundle publishes, "*" after those that sign.
std::vector<std::string> Keys(const SkrBundle& bundle) {
  std::vector<std::string> out;
  for (size_t i = 0; i < bundle.dnskeys.size(); ++i) {
    std::string text = bundle.key_identifiers[i];
    for (const Record& sig : bundle.signatures) {
      if (ParseRrsig(sig.rdata)->key_tag == KeyTag(bundle.dnskeys[i].rdata)) text += "*";
    }
    out.push_back(text);
  }
  return out;
}

TEST(LabScenario, SlotsAreAlignedToTheWallClockAndTheHoldDownRoundedUp) {
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:17.5Z"), absl::Seconds(5)), At("2026-12-06T21:39:15Z"));
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:15Z"), absl::Seconds(5)), At("2026-12-06T21:39:15Z"));
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:17Z"), absl::Hours(1)), At("2026-12-06T21:00:00Z"));
  EXPECT_EQ(HoldDownSlots(absl::Seconds(5), absl::Seconds(10)), 3);
  EXPECT_EQ(HoldDownSlots(absl::Seconds(5), absl::Seconds(11)), 4);
  EXPECT_EQ(HoldDownSlots(absl::Seconds(5), absl::ZeroDuration()), 1);
  for (const char* name : {"ksk-roll", "emergency", "standby-key", "zsk-roll", "algorithm-roll"}) {
    EXPECT_EQ(LabPlanName(ParseLabPlan(name).value()), name);
  }
  EXPECT_FALSE(ParseLabPlan("ksk-flip").has_value());
}

TEST(LabScenario, KskRollFromTheLabsKeysWithKskBMadeOnce) {
  LabKeyStore store = MakeLab("ksk", dns::kAlgEcdsaP256);
  absl::StatusOr<LabScenario> scenario = MakeLabScenario(store, Options(LabPlan::kKskRoll, store));
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_THAT(scenario->phases, ElementsAre("normal", "publish", "publish", "roll", "revoke", "revoke", "remove"));
  const SignedKeyResponse& skr = scenario->skr;
  EXPECT_EQ(skr.bundles[0].inception, At("2026-12-06T21:39:16Z"));
  EXPECT_EQ(skr.bundles[0].id, "1-normal");
  EXPECT_EQ(skr.bundles[6].id, "7-remove");
  EXPECT_EQ(skr.bundles[6].dnskeys.front().ttl, 4u);
  // Every bundle valid for the whole scenario and 14 days beyond its last slot.
  EXPECT_EQ(skr.bundles[0].expiration, At("2026-12-20T21:39:44Z"));
  EXPECT_THAT(Keys(skr.bundles[0]), ElementsAre("KSK-A*", "ZSK-1"));
  EXPECT_THAT(Keys(skr.bundles[1]), ElementsAre("KSK-A*", "KSK-B", "ZSK-1"));
  EXPECT_THAT(Keys(skr.bundles[3]), ElementsAre("KSK-A", "KSK-B*", "ZSK-1"));
  EXPECT_THAT(Keys(skr.bundles[4]), ElementsAre("KSK-A*", "KSK-B*", "ZSK-1"));
  EXPECT_TRUE(DnskeyFlags(skr.bundles[4].dnskeys[0].rdata) & dns::kDnskeyRevoke);
  EXPECT_THAT(Keys(skr.bundles[6]), ElementsAre("KSK-B*", "ZSK-1"));
  EXPECT_TRUE(scenario->zones.empty());
  ASSERT_EQ(scenario->ksks.size(), 2u);
  const SigningKey ksk_b = store.Find("KSK-B")->key;
  EXPECT_EQ(ksk_b.algorithm(), dns::kAlgEcdsaP256);
  EXPECT_EQ(skr.bundles[6].dnskeys[0].rdata, ksk_b.dnskey_rdata());
  absl::StatusOr<LabScenario> again = MakeLabScenario(store, Options(LabPlan::kStandbyKey, store));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->phases, ElementsAre("normal", "standby", "standby", "standby"));
  EXPECT_EQ(store.keys().size(), 4u);  // KSK-A, ZSK-1, LAB-TLD, KSK-B
  EXPECT_EQ(again->skr.bundles[3].dnskeys[1].rdata, ksk_b.dnskey_rdata());
  LabScenarioOptions fractional = Options(LabPlan::kKskRoll, store);
  fractional.slot = absl::Milliseconds(1500);
  EXPECT_FALSE(MakeLabScenario(store, fractional).ok());
}

// Each zone change verifies with the scenario's trust anchor (all its KSKs), is signed by the keys
// of its phase, and fits every bundle of its window (it is signed by keys they all publish).
void ExpectZonesFitTheirWindows(const LabScenario& scenario, const std::vector<std::vector<uint16_t>>& zone_signers) {
  ASSERT_EQ(scenario.zones.size(), zone_signers.size());
  absl::StatusOr<TrustAnchor> anchor =
      TrustAnchor::Parse(MakeAnchorFiles(scenario.ksks, absl::Now()).value().ds, "scenario anchor");
  ASSERT_TRUE(anchor.ok()) << anchor.status();
  for (size_t i = 0; i < scenario.zones.size(); ++i) {
    const LabZoneChange& change = scenario.zones[i];
    SCOPED_TRACE(change.phase);
    absl::StatusOr<Zone> zone = Zone::FromRecords({"change"}, change.records);
    ASSERT_TRUE(zone.ok()) << zone.status();
    const VerifyReport report = VerifyZone(*zone, &*anchor, change.load_after);
    EXPECT_TRUE(report.ok()) << report.ToString();
    EXPECT_TRUE(report.dnskey_validated);
    std::set<uint16_t> soa_signers;
    for (const Record* sig : zone->apex()->Find(dns::kTypeSoa)->signatures) {
      soa_signers.insert(ParseRrsig(sig->rdata)->key_tag);
    }
    EXPECT_EQ(soa_signers, std::set<uint16_t>(zone_signers[i].begin(), zone_signers[i].end()));
    EXPECT_LT(change.load_after, change.load_before);
    for (const SkrBundle& bundle : scenario.skr.bundles) {
      if (bundle.inception < change.load_after || bundle.inception >= change.load_before) continue;
      std::set<uint16_t> published;
      for (const Record& k : bundle.dnskeys) published.insert(KeyTag(k.rdata));
      for (uint16_t tag : zone_signers[i]) EXPECT_TRUE(published.contains(tag)) << bundle.id << " lacks " << tag;
    }
  }
}

TEST(LabScenario, ZskRollResignsTheZoneWithZsk2) {
  LabKeyStore store = MakeLab("zsk", dns::kAlgEcdsaP256);
  absl::StatusOr<LabScenario> scenario = MakeLabScenario(store, Options(LabPlan::kZskRoll, store));
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_THAT(scenario->phases,
              ElementsAre("normal", "zsk-publish", "zsk-publish", "zsk-roll", "zsk-roll", "zsk-remove"));
  EXPECT_THAT(Keys(scenario->skr.bundles[1]), ElementsAre("KSK-A*", "ZSK-1", "ZSK-2"));
  EXPECT_THAT(Keys(scenario->skr.bundles[5]), ElementsAre("KSK-A*", "ZSK-2"));
  ASSERT_EQ(scenario->zones.size(), 1u);
  EXPECT_EQ(scenario->zones[0].load_after, scenario->skr.bundles[3].inception);
  EXPECT_EQ(scenario->zones[0].load_before, scenario->skr.bundles[5].inception);
  ExpectZonesFitTheirWindows(*scenario, {{store.Find("ZSK-2")->key.key_tag()}});
}

TEST(LabScenario, AlgorithmRollDoubleSignsThenLeavesTheOldAlgorithm) {
  LabKeyStore store = MakeLab("algorithm", dns::kAlgRsaSha256);
  absl::StatusOr<LabScenario> scenario = MakeLabScenario(store, Options(LabPlan::kAlgorithmRoll, store));
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_THAT(scenario->phases, ElementsAre("normal", "alg-double", "alg-double", "alg-revoke", "alg-revoke",
                                            "alg-new"));
  EXPECT_THAT(Keys(scenario->skr.bundles[1]), ElementsAre("KSK-A*", "ZSK-1", "KSK-ALG13*", "ZSK-ALG13"));
  EXPECT_THAT(Keys(scenario->skr.bundles[3]), ElementsAre("KSK-A*", "ZSK-1", "KSK-ALG13*", "ZSK-ALG13"));
  EXPECT_THAT(Keys(scenario->skr.bundles[5]), ElementsAre("KSK-ALG13*", "ZSK-ALG13"));
  const uint16_t z1 = store.Find("ZSK-1")->key.key_tag(), zn = store.Find("ZSK-ALG13")->key.key_tag();
  EXPECT_EQ(store.Find("KSK-ALG13")->key.algorithm(), dns::kAlgEcdsaP256);
  ASSERT_EQ(scenario->zones.size(), 2u);
  EXPECT_EQ(scenario->zones[1].load_after, scenario->skr.bundles[4].inception);  // the last revocation slot
  ExpectZonesFitTheirWindows(*scenario, {{z1, zn}, {zn}});
}

}  // namespace
}  // namespace rootd::zone
