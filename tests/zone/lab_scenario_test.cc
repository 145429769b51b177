#include "zone/lab_scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/run_command.h"
#include "zone/lab_init.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

using ::testing::ElementsAre;
using P = LabPhase;

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << error;
  return t;
}

TEST(LabScenario, SlotsAreAlignedToTheWallClock) {
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:17.5Z"), absl::Seconds(5)), At("2026-12-06T21:39:15Z"));
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:15Z"), absl::Seconds(5)), At("2026-12-06T21:39:15Z"));
  EXPECT_EQ(SlotStart(At("2026-12-06T21:39:17Z"), absl::Hours(1)), At("2026-12-06T21:00:00Z"));
}

TEST(LabScenario, PublicationLastsTheHoldDownAndASlot) {
  const absl::Duration slot = absl::Seconds(5);
  EXPECT_THAT(LabPlanPhases(LabPlan::kKskRoll, slot, absl::Seconds(10)),
              ElementsAre(P::kNormal, P::kPublish, P::kPublish, P::kPublish, P::kRoll, P::kRevoke, P::kRevoke,
                          P::kRevoke, P::kRemove));
  // A hold-down that is not a whole number of slots is rounded up.
  EXPECT_EQ(LabPlanPhases(LabPlan::kKskRoll, slot, absl::Seconds(11)).size(), 11u);
  EXPECT_THAT(LabPlanPhases(LabPlan::kEmergency, slot, absl::ZeroDuration()),
              ElementsAre(P::kNormal, P::kRevoke, P::kRemove));
  EXPECT_THAT(LabPlanPhases(LabPlan::kStandbyKey, slot, absl::Seconds(5)),
              ElementsAre(P::kNormal, P::kPublish, P::kPublish, P::kPublish));
  for (LabPlan plan : {LabPlan::kKskRoll, LabPlan::kEmergency, LabPlan::kStandbyKey}) {
    EXPECT_EQ(ParseLabPlan(LabPlanName(plan)), plan);
  }
  EXPECT_FALSE(ParseLabPlan("ksk-flip").has_value());
}

TEST(LabScenario, KeysComeFromTheLabAndKskBIsMadeOnce) {
  const std::string dir = ::testing::TempDir() + "/lab_scenario";
  testing::RunCommand("rm -rf '" + dir + "'");
  LabInitOptions init;
  init.dir = dir;
  init.tld_count = 1;
  init.algorithm = dns::kAlgEcdsaP256;
  ASSERT_TRUE(InitLab(init).ok());
  absl::StatusOr<LabKeyStore> store = LabKeyStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  LabScenarioOptions options;
  options.slot = absl::Seconds(4);
  options.hold_down = absl::Seconds(4);
  options.start = At("2026-12-06T21:39:17Z");
  absl::StatusOr<LabScenario> scenario = MakeLabScenario(*store, options);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const SigningKey ksk_b = store->Find("KSK-B")->key;
  EXPECT_EQ(ksk_b.algorithm(), dns::kAlgEcdsaP256);
  const SignedKeyResponse& skr = scenario->skr;
  ASSERT_EQ(skr.bundles.size(), 7u);  // normal, publish x2, roll, revoke x2, remove
  EXPECT_EQ(skr.bundles[0].inception, At("2026-12-06T21:39:16Z"));
  EXPECT_EQ(skr.bundles[0].id, "1-normal");
  EXPECT_EQ(skr.bundles[6].id, "7-remove");
  EXPECT_EQ(skr.bundles[6].dnskeys.front().ttl, 4u);
  // Every bundle valid for the whole scenario and a day beyond its last slot.
  EXPECT_EQ(skr.bundles[0].expiration, At("2026-12-07T21:39:44Z"));
  EXPECT_EQ(skr.bundles[6].key_identifiers, (std::vector<std::string>{"KSK-B", "ZSK-1"}));
  EXPECT_EQ(skr.bundles[6].dnskeys[0].rdata, ksk_b.dnskey_rdata());
  // Another scenario of the lab reuses KSK-B.
  absl::StatusOr<LabScenario> again = MakeLabScenario(*store, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(LabKeyStore::Open(dir)->keys().size(), 4u);
  EXPECT_EQ(again->skr.bundles[6].dnskeys[0].rdata, ksk_b.dnskey_rdata());
  options.slot = absl::Milliseconds(1500);
  EXPECT_FALSE(MakeLabScenario(*store, options).ok());
}

}  // namespace
}  // namespace rootd::zone
