#include "zone/lab_rollover.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "zone/apex_keys.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/skr_writer.h"

namespace rootd::zone {
namespace {

using ::testing::ElementsAreArray;
using ::testing::UnorderedElementsAreArray;

const std::string kRoot(1, '\0');
constexpr uint64_t kSeed = 7;
constexpr uint16_t kRevokedKsk = kKskFlags | dns::kDnskeyRevoke;  // 385

const LabRolloverKeys& Keys() {
  static const LabRolloverKeys* keys = new LabRolloverKeys(LabRolloverKeys::FromSeed(kSeed).value());
  return *keys;
}

absl::Time Utc(int y, int m, int d) { return absl::FromCivil(absl::CivilSecond(y, m, d, 0, 0, 0), absl::UTCTimeZone()); }

// The lab zone of the same seed holds KSK-A and ZSK-1; asked for two of each, KSK-B and ZSK-2 too.
TEST(LabRollover, KeysAreTheLabZonesKeys) {
  LabZoneOptions options;
  options.seed = kSeed;
  options.tld_count = 1;
  options.signing_threads = 1;
  options.ksk_specs = {LabKeySpec{}, LabKeySpec{}};
  options.zsk_specs = {LabKeySpec{}, LabKeySpec{}};
  absl::StatusOr<LabZone> lab = GenerateLabZone(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  EXPECT_EQ(lab->ksks[0].dnskey_rdata(), Keys().ksk_a.dnskey_rdata());
  EXPECT_EQ(lab->ksks[1].dnskey_rdata(), Keys().ksk_b.dnskey_rdata());
  EXPECT_EQ(lab->zsks[0].dnskey_rdata(), Keys().zsk_1.dnskey_rdata());
  EXPECT_EQ(lab->zsks[1].dnskey_rdata(), Keys().zsk_2.dnskey_rdata());
  const std::set<std::string> distinct = {Keys().ksk_a.dnskey_rdata().substr(4), Keys().ksk_b.dnskey_rdata().substr(4),
                                          Keys().zsk_1.dnskey_rdata().substr(4), Keys().zsk_2.dnskey_rdata().substr(4)};
  EXPECT_EQ(distinct.size(), 4u);
  EXPECT_EQ(Keys().ksk_a.flags(), kKskFlags);
  EXPECT_EQ(Keys().zsk_2.flags(), kZskFlags);
}

// A revoked spec derives the same key with the REVOKE bit, as GenerateLabZone's revoked KSKs.
TEST(LabRollover, RevokedSpecIsTheSameKey) {
  absl::StatusOr<SigningKey> revoked = LabKeyFromSeed(kSeed, LabKeyRole::kKsk, 1, LabKeySpec{.revoked = true});
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->flags(), kRevokedKsk);
  EXPECT_EQ(revoked->dnskey_rdata(), Keys().ksk_a.WithFlags(kRevokedKsk).dnskey_rdata());
}

struct PhaseCase {
  LabPhase phase;
  std::vector<std::string> names;     // published, in order
  std::vector<uint16_t> flags;        // of each published key
  std::vector<std::string> signers;   // by name
};

const PhaseCase kPhaseCases[] = {
    {LabPhase::kNormal, {"KSK-A", "ZSK-1"}, {257, 256}, {"KSK-A"}},
    {LabPhase::kPublish, {"KSK-A", "KSK-B", "ZSK-1"}, {257, 257, 256}, {"KSK-A"}},
    {LabPhase::kRoll, {"KSK-A", "KSK-B", "ZSK-1"}, {257, 257, 256}, {"KSK-B"}},
    {LabPhase::kRevoke, {"KSK-A", "KSK-B", "ZSK-1"}, {385, 257, 256}, {"KSK-A", "KSK-B"}},
    {LabPhase::kRemove, {"KSK-B", "ZSK-1"}, {257, 256}, {"KSK-B"}},
    {LabPhase::kZskRoll, {"KSK-A", "ZSK-1", "ZSK-2"}, {257, 256, 256}, {"KSK-A"}},
    {LabPhase::kRevokeZskRoll, {"KSK-A", "KSK-B", "ZSK-1", "ZSK-2"}, {385, 257, 256, 256}, {"KSK-A", "KSK-B"}},
};

// The unrevoked key of each name.
const SigningKey& Named(const std::string& name) {
  if (name == "KSK-A") return Keys().ksk_a;
  if (name == "KSK-B") return Keys().ksk_b;
  if (name == "ZSK-1") return Keys().zsk_1;
  return Keys().zsk_2;
}

TEST(LabRollover, EachPhasesKeySet) {
  ASSERT_EQ(std::size(kPhaseCases), std::size(kAllLabPhases));
  for (const PhaseCase& c : kPhaseCases) {
    SCOPED_TRACE(LabPhaseName(c.phase));
    const LabKeySet set = LabPhaseKeys(Keys(), c.phase);
    EXPECT_THAT(set.names, ElementsAreArray(c.names));
    ASSERT_EQ(set.published.size(), c.names.size());
    std::vector<uint16_t> flags, signer_tags, expected_signer_tags;
    for (size_t i = 0; i < set.published.size(); ++i) {
      const SigningKey& key = set.published[i];
      flags.push_back(key.flags());
      // The same key pair; the tag is over the RDATA as published: REVOKE changes it.
      EXPECT_EQ(DnskeyPublicKey(key.dnskey_rdata()), DnskeyPublicKey(Named(c.names[i]).dnskey_rdata()));
      EXPECT_EQ(key.key_tag(), KeyTag(key.dnskey_rdata()));
      if (key.is_revoked()) {
        EXPECT_NE(key.key_tag(), Named(c.names[i]).key_tag());
      } else {
        EXPECT_EQ(key.key_tag(), Named(c.names[i]).key_tag());
      }
    }
    EXPECT_THAT(flags, ElementsAreArray(c.flags));
    for (const SigningKey& s : set.signers) signer_tags.push_back(s.key_tag());
    for (const std::string& name : c.signers) {
      const auto at = std::find(c.names.begin(), c.names.end(), name);
      expected_signer_tags.push_back(set.published[static_cast<size_t>(at - c.names.begin())].key_tag());
    }
    EXPECT_THAT(signer_tags, UnorderedElementsAreArray(expected_signer_tags));
  }
}

// Every RRSIG of every phase's bundle verifies over the bundle's DNSKEY RRset with the key it
// names (signature_verifier.h's VerifyRrsig), and is valid from inception to expiration.
TEST(LabRollover, SignaturesVerify) {
  const absl::Time inception = Utc(2027, 1, 1), expiration = Utc(2027, 1, 22);
  for (const PhaseCase& c : kPhaseCases) {
    SCOPED_TRACE(LabPhaseName(c.phase));
    const LabKeySet set = LabPhaseKeys(Keys(), c.phase);
    absl::StatusOr<SkrBundle> bundle = SignLabBundle(set, "b", inception, expiration);
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    EXPECT_EQ(bundle->dnskeys.size(), c.names.size());
    ASSERT_EQ(bundle->signatures.size(), c.signers.size());
    EXPECT_EQ(bundle->key_identifiers, c.names);
    std::vector<Record> records = bundle->dnskeys;
    records.insert(records.end(), bundle->signatures.begin(), bundle->signatures.end());
    absl::StatusOr<Zone> zone = Zone::FromRecords({"bundle"}, records);
    ASSERT_TRUE(zone.ok()) << zone.status();
    const RRset* rrset = zone->apex()->Find(dns::kTypeDnskey);
    ASSERT_NE(rrset, nullptr);
    const ApexKeys keys = ApexKeys::FromZone(*zone);
    std::set<uint16_t> verified_by;
    for (const Record& s : bundle->signatures) {
      absl::StatusOr<RrsigFields> f = ParseRrsig(s.rdata);
      ASSERT_TRUE(f.ok());
      EXPECT_EQ(f->labels, 0);
      EXPECT_EQ(f->original_ttl, 172800u);
      absl::StatusOr<int> key = VerifyRrsig(*f, kRoot, *rrset, keys, kRoot);
      ASSERT_TRUE(key.ok()) << key.status();
      verified_by.insert(keys.keys()[static_cast<size_t>(*key)].tag);
      EXPECT_TRUE(CheckRrsigWindow(*f, inception).ok());
      EXPECT_TRUE(CheckRrsigWindow(*f, expiration).ok());
      EXPECT_FALSE(CheckRrsigWindow(*f, expiration + absl::Seconds(1)).ok());
    }
    EXPECT_EQ(verified_by.size(), c.signers.size());
  }
}

TEST(LabRollover, SkrHasOneBundlePerSlot) {
  absl::StatusOr<SignedKeyResponse> skr = MakeLabSkr(Keys());
  ASSERT_TRUE(skr.ok()) << skr.status();
  ASSERT_EQ(skr->bundles.size(), std::size(kLabQuarter));
  for (size_t i = 0; i < skr->bundles.size(); ++i) {
    const SkrBundle& b = skr->bundles[i];
    SCOPED_TRACE(b.id);
    EXPECT_EQ(b.id, std::to_string(i + 1) + "-" + std::string(LabPhaseName(kLabQuarter[i])));
    EXPECT_EQ(b.inception, Utc(2027, 1, 1) + absl::Hours(24 * 10) * static_cast<int64_t>(i));
    EXPECT_EQ(b.expiration, b.inception + absl::Hours(24 * 21));
    EXPECT_EQ(b.dnskeys.size(), LabPhaseKeys(Keys(), kLabQuarter[i]).published.size());
  }
  EXPECT_EQ(skr->ksk_policy.rsa_size, 2048u);
  EXPECT_EQ(skr->ksk_policy.min_validity_overlap, absl::Hours(24 * 11));

  // Written as XML and read back, it is the same SKR.
  absl::StatusOr<std::string> xml = WriteSkrXml(*skr);
  ASSERT_TRUE(xml.ok()) << xml.status();
  absl::StatusOr<SignedKeyResponse> again = ParseSkrXml(*xml, "lab.xml");
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->bundles.size(), skr->bundles.size());
  for (size_t i = 0; i < skr->bundles.size(); ++i) {
    EXPECT_EQ(again->bundles[i].id, skr->bundles[i].id);
    EXPECT_EQ(again->bundles[i].inception, skr->bundles[i].inception);
    EXPECT_EQ(again->bundles[i].key_identifiers, skr->bundles[i].key_identifiers);
    ASSERT_EQ(again->bundles[i].signatures.size(), skr->bundles[i].signatures.size());
    for (size_t k = 0; k < skr->bundles[i].signatures.size(); ++k) {
      EXPECT_EQ(again->bundles[i].signatures[k].rdata, skr->bundles[i].signatures[k].rdata);
    }
  }
  EXPECT_FALSE(MakeLabSkr(Keys(), LabSkrOptions{.phases = {}}).ok());
}

}  // namespace
}  // namespace rootd::zone
