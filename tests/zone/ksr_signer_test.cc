#include "zone/ksr_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/lab_zone.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"

namespace rootd::zone {
namespace {

using ::testing::HasSubstr;

const std::string kKsr2017Q2 = testing::SharedDataDir() + "/skr/ksr-root-2017-q2-0.xml";
const std::string kKnotKsr = testing::SourceDir() + "/tests/zone/data/ksr_knot_rsa.refused";

KsrSigningKeys LabKeys() {
  const LabKeySpec ecdsa{dns::kAlgEcdsaP256};
  return KsrSigningKeys{LabKeyFromSeed(7, LabKeyRole::kKsk, 1, ecdsa).value(),
                        LabKeyFromSeed(7, LabKeyRole::kKsk, 2, ecdsa).value()};
}

// Per bundle, its KSKs as "tag" or "tag REVOKED", each followed by "*" when it signs.
std::vector<std::string> KskPlan(const SkrBundle& bundle) {
  std::vector<std::string> out;
  for (const Record& k : bundle.dnskeys) {
    if ((DnskeyFlags(k.rdata) & 1) == 0) continue;
    std::string text = std::to_string(KeyTag(k.rdata));
    if (DnskeyFlags(k.rdata) & dns::kDnskeyRevoke) text += " REVOKED";
    for (const Record& sig : bundle.signatures) {
      if (ParseRrsig(sig.rdata)->key_tag == KeyTag(k.rdata)) text += "*";
    }
    out.push_back(text);
  }
  return out;
}

TEST(KsrReader, ReadsIanaAndKnotRequestsAndTellsThemFromResponses) {
  if (!std::filesystem::exists(kKsr2017Q2)) GTEST_SKIP() << "no " << kKsr2017Q2;
  absl::StatusOr<SignedKeyResponse> ksr = ReadKsrFile(kKsr2017Q2);
  ASSERT_TRUE(ksr.ok()) << ksr.status();
  ASSERT_EQ(ksr->bundles.size(), 9u);
  EXPECT_EQ(ksr->zsk_policy.algorithm, dns::kAlgRsaSha256);
  EXPECT_EQ(ksr->zsk_policy.rsa_size, 2048u);
  EXPECT_EQ(FormatUtc(ksr->bundles[0].inception), "2017-04-01T00:00:00Z");  // written without an offset
  EXPECT_EQ(ksr->bundles[0].dnskeys.size(), 2u);
  EXPECT_FALSE(ksr->bundles[0].signatures.empty());  // the ZSK's proof of possession
  EXPECT_THAT(ReadSkrFile(kKsr2017Q2).status().message(), HasSubstr("a KSR, not an SKR"));
  EXPECT_THAT(ReadKsrFile(testing::SharedDataDir() + "/skr/skr-root-2017-q2-0.xml").status().message(),
              HasSubstr("an SKR, not a KSR"));

  absl::StatusOr<SignedKeyResponse> knot = ReadKsrFile(kKnotKsr);
  ASSERT_TRUE(knot.ok()) << knot.status();
  EXPECT_EQ(knot->format, SignedKeyResponse::Format::kKnotText);
  ASSERT_EQ(knot->bundles.size(), 2u);
  EXPECT_EQ(KeyTag(knot->bundles[0].dnskeys[0].rdata), 63616);
  EXPECT_TRUE(knot->bundles[0].signatures.empty());
  EXPECT_THAT(ReadKsrFile(testing::SourceDir() + "/tests/zone/data/skr_knot_rsa.valid").status().message(),
              HasSubstr("an SKR, not a KSR"));
}

TEST(KsrSigner, EachSchemaPublishesAndSignsAsTheCeremoniesDo) {
  if (!std::filesystem::exists(kKsr2017Q2)) GTEST_SKIP() << "no " << kKsr2017Q2;
  const SignedKeyResponse ksr = ReadKsrFile(kKsr2017Q2).value();
  const KsrSigningKeys keys = LabKeys();
  const std::string a = std::to_string(keys.current.key_tag());
  const std::string r = std::to_string(keys.current.WithFlags(kKskFlags | dns::kDnskeyRevoke).key_tag());
  const std::string b = std::to_string(keys.next->key_tag());
  const std::vector<std::string> normal{a + "*"}, both{a + "*", b}, rolled{a, b + "*"}, revoked{r + " REVOKED*", b + "*"},
      next{b + "*"};
  struct Expected {
    KsrSchema schema;
    std::vector<std::vector<std::string>> first, middle, last;
  };
  for (const Expected& e : {Expected{KsrSchema::kNormal, {normal}, {normal}, {normal}},
                            Expected{KsrSchema::kPrePublish, {normal}, {both}, {both}},
                            Expected{KsrSchema::kRollover, {rolled}, {rolled}, {rolled}},
                            Expected{KsrSchema::kRevoke, {rolled}, {revoked}, {next}}}) {
    KsrSigningOptions options;
    options.schema = e.schema;
    absl::StatusOr<SignedKeyResponse> skr = SignKsr(ksr, keys, options);
    ASSERT_TRUE(skr.ok()) << skr.status();
    ASSERT_EQ(skr->bundles.size(), 9u);
    const std::string name(KsrSchemaName(e.schema));
    EXPECT_EQ(ParseKsrSchema(name), e.schema);
    EXPECT_EQ(KskPlan(skr->bundles[0]), e.first[0]) << name;
    EXPECT_EQ(KskPlan(skr->bundles[4]), e.middle[0]) << name;
    EXPECT_EQ(KskPlan(skr->bundles[8]), e.last[0]) << name;
    for (size_t i = 0; i < 9; ++i) {
      const SkrBundle& request = ksr.bundles[i];
      const SkrBundle& response = skr->bundles[i];
      EXPECT_EQ(response.id, request.id);
      EXPECT_EQ(response.inception, request.inception);
      EXPECT_EQ(response.expiration, request.expiration);
      // The request's ZSKs, after the KSKs, with their keyIdentifiers.
      ASSERT_GE(response.dnskeys.size(), request.dnskeys.size());
      const size_t ksks = response.dnskeys.size() - request.dnskeys.size();
      for (size_t k = 0; k < request.dnskeys.size(); ++k) {
        EXPECT_EQ(response.dnskeys[ksks + k].rdata, request.dnskeys[k].rdata);
        EXPECT_EQ(response.key_identifiers[ksks + k], request.key_identifiers[k]);
      }
    }
    EXPECT_TRUE(skr->has_policy);
    EXPECT_EQ(skr->zsk_policy, ksr.zsk_policy);
    EXPECT_EQ(skr->ksk_policy.algorithm, dns::kAlgEcdsaP256);
    EXPECT_EQ(skr->ksk_policy.max_signature_validity, absl::Hours(24 * 21));
  }
  KsrSigningKeys current_only{keys.current, std::nullopt};
  KsrSigningOptions rollover;
  rollover.schema = KsrSchema::kRollover;
  EXPECT_FALSE(SignKsr(ksr, current_only, rollover).ok());
}

TEST(KsrSigner, KnotSnapshotsAreSignedForTheValidityAndWrittenAsKnotText) {
  const SignedKeyResponse ksr = ReadKsrFile(kKnotKsr).value();
  KsrSigningOptions options;
  options.knot_validity = absl::Hours(24 * 14);
  absl::StatusOr<SignedKeyResponse> skr = SignKsr(ksr, LabKeys(), options);
  ASSERT_TRUE(skr.ok()) << skr.status();
  const std::string text = WriteKnotSkr(*skr, absl::FromUnixSeconds(1796543601));
  EXPECT_THAT(text, HasSubstr(";; SignedKeyResponse 1.0 1796543601 (2026-12-06T07:53:21Z) ====="));
  EXPECT_THAT(text, HasSubstr(";; SignedKeyResponse 1.0 generated at 2026-12-06T07:53:21Z by rootlab\n"));
  absl::StatusOr<SignedKeyResponse> back = ParseKnotSkr(text, "written");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
  ASSERT_EQ(back->bundles.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->bundles[i].inception, ksr.bundles[i].inception);
    EXPECT_EQ(back->bundles[i].expiration, ksr.bundles[i].inception + absl::Hours(24 * 14));
    const RrsigFields sig = ParseRrsig(back->bundles[i].signatures[0].rdata).value();
    EXPECT_EQ(RrsigTime(sig.inception, ksr.bundles[i].inception), ksr.bundles[i].inception - absl::Minutes(90));
  }
}

}  // namespace
}  // namespace rootd::zone
