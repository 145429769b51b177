#include "zone/zone_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/test_paths.h"
#include "zone/master_reader.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"

namespace rootd::zone {
namespace {

using ::rootd::testing::ReadFileText;
using ::testing::HasSubstr;

const absl::Time kInWindow = absl::FromCivil(absl::CivilSecond(2017, 8, 25, 0, 0, 0), absl::UTCTimeZone());

std::string ZonesDir() { return rootd::testing::SharedDataDir() + "/zones"; }

const std::string& RootZoneText() {
  static const std::string* text = new std::string(ReadFileText(ZonesDir() + "/root.zone"));
  return *text;
}

// 1-based line of the first occurrence of `needle`.
int LineOf(const std::string& text, std::string_view needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

// The root zone with `from` replaced by `to` (first occurrence; must exist).
std::string Edited(std::string_view from, std::string_view to) {
  std::string text = RootZoneText();
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Zone Load(const std::string& text) {
  absl::StatusOr<Zone> z = ReadMasterText(text, "root.zone");
  EXPECT_TRUE(z.ok()) << z.status();
  return *std::move(z);
}

TrustAnchor DsAnchor() { return TrustAnchor::LoadFile(ZonesDir() + "/root.zone.ds").value(); }

bool AnyProblemHas(const VerifyReport& r, std::string_view text) {
  for (const std::string& p : r.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string Joined(const VerifyReport& r) { return r.ToString(); }

TEST(ZoneVerifier, RealRootZoneVerifiesWithDsAnchor) {
  const Zone zone = Load(RootZoneText());
  const TrustAnchor anchor = DsAnchor();
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_EQ(r.signatures_checked, 2950u);
  EXPECT_EQ(r.signatures_verified, 2950u);
  EXPECT_EQ(r.nsec_records, 1548u);
  EXPECT_TRUE(r.dnskey_validated);
  EXPECT_EQ(r.zonemd.status, ZonemdStatus::kAbsent);
  EXPECT_EQ(FormatUtc(r.earliest_expiration), "2017-09-03T05:00:00Z");
  EXPECT_EQ(r.earliest_expiring, ". RRSIG (root.zone:" + std::to_string(LineOf(RootZoneText(), "RRSIG\tNS ")) + ")");
  ASSERT_EQ(r.anchor_matches.size(), 1u);
  EXPECT_THAT(r.anchor_matches[0], HasSubstr("DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5"));
  EXPECT_THAT(r.anchor_matches[0], HasSubstr("matches key 19036, which signs DNSKEY"));
}

TEST(ZoneVerifier, RealRootZoneKeyRoles) {
  const Zone zone = Load(RootZoneText());
  const TrustAnchor anchor = TrustAnchor::LoadFile(ZonesDir() + "/root.zone.ksk").value();
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_TRUE(r.dnskey_validated);
  ASSERT_EQ(r.keys.size(), 3u);
  std::map<uint16_t, const KeyRole*> by_tag;
  for (const KeyRole& k : r.keys) by_tag[k.tag] = &k;
  ASSERT_EQ(by_tag.size(), 3u);
  const KeyRole& ksk2010 = *by_tag.at(19036);
  const KeyRole& ksk2017 = *by_tag.at(20326);
  const KeyRole& zsk = *by_tag.at(15768);
  EXPECT_TRUE(ksk2010.ksk);
  EXPECT_TRUE(ksk2010.trust_anchored);
  EXPECT_EQ(ksk2010.signs, std::vector<uint16_t>{dns::kTypeDnskey});
  EXPECT_EQ(ksk2010.bits, 2048);
  EXPECT_EQ(ksk2010.flags, 257);
  EXPECT_FALSE(ksk2010.revoked);
  EXPECT_TRUE(ksk2017.ksk);
  EXPECT_TRUE(ksk2017.trust_anchored);
  EXPECT_TRUE(ksk2017.signs.empty());
  EXPECT_EQ(ksk2017.bits, 2048);
  EXPECT_FALSE(zsk.ksk);
  EXPECT_FALSE(zsk.trust_anchored);
  EXPECT_EQ(zsk.flags, 256);
  EXPECT_EQ(zsk.algorithm, 8);
  EXPECT_EQ(zsk.signs, (std::vector<uint16_t>{dns::kTypeNs, dns::kTypeSoa, dns::kTypeDs, dns::kTypeNsec}));
  EXPECT_EQ(zsk.signatures, 2949u);
  EXPECT_THAT(ksk2010.ToString(), HasSubstr("19036 alg 8 2048 bits flags 257 KSK anchored signs DNSKEY"));
}

TEST(ZoneVerifier, NoTrustAnchorStillChecksEverythingElse) {
  const Zone zone = Load(RootZoneText());
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_FALSE(r.anchor_checked);
}

TEST(ZoneVerifier, MixedCaseOwnersVerify) {
  // The real file writes DS owners in uppercase ("AAA.") and the rest in lowercase; the
  // signatures are over the lowercase form.
  ASSERT_NE(RootZoneText().find("\nAAA.\t"), std::string::npos);
  // Turn the owners of one NSEC and its RRSIG to other mixed cases: still valid. (Not the
  // NSEC next name: RFC 6840 5.1 keeps NSEC RDATA out of canonical lowercasing, so that
  // would change the signed data.)
  std::string text = Edited("aaa.\t\t\t86400\tIN\tNSEC\taarp.", "AaA.\t\t\t86400\tIN\tNSEC\taarp.");
  const std::string sig = "aaa.\t\t\t86400\tIN\tRRSIG\tNSEC ";
  text.replace(text.find(sig), sig.size(), "aAa.\t\t\t86400\tIN\tRRSIG\tNSEC ");
  const Zone zone = Load(text);
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_EQ(r.signatures_verified, 2950u);
}

TEST(ZoneVerifier, FlippedSignatureByteIsNamed) {
  // The RRSIG over aaa. NSEC: change one base64 character of its signature.
  const std::string needle = "NSEC 8 1 86400 20170903050000 20170821040000 15768 . HYK63hMW";
  const std::string text = Edited(needle, "NSEC 8 1 86400 20170903050000 20170821040000 15768 . HYK63hMX");
  const Zone zone = Load(text);
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  EXPECT_FALSE(r.ok());
  const std::string where = "root.zone:" + std::to_string(LineOf(text, "15768 . HYK63hMX"));
  EXPECT_THAT(r.problems, ::testing::Contains("aaa. RRSIG (" + where +
                                              ") covering NSEC: signature does not verify with key 15768"))
      << Joined(r);
  EXPECT_TRUE(AnyProblemHas(r, "aaa. NSEC (root.zone:"));
  EXPECT_TRUE(AnyProblemHas(r, "RRset has no valid RRSIG"));
  EXPECT_EQ(r.problem_count, 2u) << Joined(r);
  EXPECT_EQ(r.signatures_verified, 2949u);
}

TEST(ZoneVerifier, ExpiredSignaturesAfterTheWindow) {
  const Zone zone = Load(RootZoneText());
  const absl::Time later = absl::FromCivil(absl::CivilSecond(2017, 9, 10, 0, 0, 0), absl::UTCTimeZone());
  const TrustAnchor anchor = DsAnchor();
  const VerifyReport r = VerifyZone(zone, &anchor, later);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.problems[0], HasSubstr(": signature expired at 2017-09-03T05:00:00Z"));
  // The DNSKEY signature expires exactly at 2017-09-10T00:00:00Z and is still valid then
  // (expiration is inclusive, RFC 4035 5.3.1), so the trust anchor check passes.
  EXPECT_TRUE(r.dnskey_validated);
  EXPECT_EQ(r.signatures_verified, 1u);
  // Problems are capped; all are counted (2,949 expired signatures and as many bare RRsets).
  EXPECT_EQ(r.problems.size(), 20u);
  EXPECT_EQ(r.problem_count, 2 * 2949u);
  EXPECT_THAT(r.ToString(), HasSubstr("... and 5878 more problems"));
}

TEST(ZoneVerifier, SignaturesNotYetValidBeforeTheWindow) {
  const Zone zone = Load(RootZoneText());
  const absl::Time earlier = absl::FromCivil(absl::CivilSecond(2017, 8, 1, 0, 0, 0), absl::UTCTimeZone());
  const TrustAnchor anchor = DsAnchor();
  VerifyOptions options;
  options.max_problems = 100000;  // the anchor problem comes after all signature problems
  const VerifyReport r = VerifyZone(zone, &anchor, earlier, options);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.problems[0], HasSubstr("signature not yet valid (inception 2017-08-21T04:00:00Z)"));
  EXPECT_TRUE(AnyProblemHas(r, "no valid signature by trust-anchored key 19036")) << Joined(r);
  EXPECT_FALSE(r.dnskey_validated);
  EXPECT_EQ(r.signatures_verified, 0u);
}

TEST(ZoneVerifier, RemovedNsecBreaksTheChain) {
  const std::string text = Edited("aaa.\t\t\t86400\tIN\tNSEC\taarp. NS DS RRSIG NSEC\n", "");
  const Zone zone = Load(text);
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  EXPECT_FALSE(r.ok());
  const std::string ns_line = std::to_string(LineOf(text, "aaa.\t\t\t172800\tIN\tNS\tns1.dns.nic.aaa."));
  EXPECT_THAT(r.problems, ::testing::Contains("aaa. NS (root.zone:" + ns_line + "): aaa. has no NSEC")) << Joined(r);
  // Its RRSIG is left covering nothing.
  EXPECT_TRUE(AnyProblemHas(r, "RRSIG covers NSEC, which has no RRset at this name"));
  EXPECT_TRUE(AnyProblemHas(r, "aaa. RRSIG (root.zone:"));
  EXPECT_EQ(r.nsec_records, 1547u);
}

TEST(ZoneVerifier, NsecPointingPastANameIsReported) {
  const std::string text = Edited("aaa.\t\t\t86400\tIN\tNSEC\taarp. ", "aaa.\t\t\t86400\tIN\tNSEC\tabarth. ");
  const Zone zone = Load(text);
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  const std::string line = std::to_string(LineOf(text, "NSEC\tabarth. "));
  EXPECT_THAT(r.problems, ::testing::Contains("aaa. NSEC (root.zone:" + line + "): next name is abarth., expected aarp."))
      << Joined(r);
}

TEST(ZoneVerifier, NsecBitmapMissingAType) {
  const std::string text = Edited("NSEC\taarp. NS DS RRSIG NSEC", "NSEC\taarp. NS RRSIG NSEC");
  const Zone zone = Load(text);
  const VerifyReport r = VerifyZone(zone, nullptr, kInWindow);
  EXPECT_FALSE(r.ok());
  const std::string line = std::to_string(LineOf(text, "NSEC\taarp. NS RRSIG NSEC"));
  EXPECT_THAT(r.problems, ::testing::Contains("aaa. NSEC (root.zone:" + line + "): type bitmap lacks DS")) << Joined(r);
  // The edited NSEC no longer matches its signature either.
  EXPECT_TRUE(AnyProblemHas(r, "covering NSEC: signature does not verify with key 15768"));
}

TEST(ZoneVerifier, TrustAnchorMatchingNoKey) {
  const Zone zone = Load(RootZoneText());
  const TrustAnchor anchor =
      TrustAnchor::Parse(". IN DS 12345 8 2 " + std::string(64, 'A') + "\n", "made-up.ds").value();
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.dnskey_validated);
  EXPECT_TRUE(r.anchor_matches.empty());
  ASSERT_EQ(r.problem_count, 1u) << Joined(r);
  EXPECT_THAT(r.problems[0], HasSubstr(". DNSKEY (root.zone:"));
  EXPECT_THAT(r.problems[0], HasSubstr(": no apex DNSKEY matches the trust anchor (DS 12345 8 2 AAAA"));
}

TEST(ZoneVerifier, TrustAnchorMatchingOnlyARevokedKey) {
  // Set REVOKE on KSK-2010 in the zone (flags 257 -> 385): its tag becomes 19164, and the
  // DNSKEY signature (made by 19036) no longer finds its key.
  const std::string ksk2010 = "AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8g";
  const std::string text = Edited("DNSKEY\t257 3 8 " + ksk2010, "DNSKEY\t385 3 8 " + ksk2010);
  const Zone zone = Load(text);
  // An anchor naming exactly the revoked key.
  const size_t at = text.find("DNSKEY\t385 3 8 ");
  const std::string line = text.substr(at, text.find('\n', at) - at);
  const TrustAnchor anchor = TrustAnchor::Parse(". IN " + line + "\n", "revoked.key").value();
  ASSERT_EQ(anchor.entries().size(), 1u);
  EXPECT_EQ(anchor.entries()[0].key_tag, 19164);
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.dnskey_validated);
  EXPECT_TRUE(AnyProblemHas(r, ": trust anchor matches only revoked key 19164")) << Joined(r);
  EXPECT_TRUE(AnyProblemHas(r, "covering DNSKEY: no DNSKEY with tag 19036 alg 8")) << Joined(r);
  bool saw_revoked = false;
  for (const KeyRole& k : r.keys) {
    if (k.tag == 19164) {
      saw_revoked = true;
      EXPECT_TRUE(k.revoked);
      EXPECT_TRUE(k.ksk);
      EXPECT_THAT(k.ToString(), HasSubstr("19164 alg 8 2048 bits flags 385 KSK REVOKED anchored signs nothing"));
    }
  }
  EXPECT_TRUE(saw_revoked);
}

TEST(ZoneVerifier, RootAnchorsXmlMatchesBothKsks) {
  const Zone zone = Load(RootZoneText());
  const std::string digest = "<DigestType>2</DigestType><Digest>";
  const TrustAnchor anchor = TrustAnchor::Parse(
      "<TrustAnchor><Zone>.</Zone>"
      "<KeyDigest id=\"Kjqmt7v\" validFrom=\"2010-07-15T00:00:00+00:00\" validUntil=\"2019-01-11T00:00:00+00:00\">"
      "<KeyTag>19036</KeyTag><Algorithm>8</Algorithm>" + digest +
      "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest></KeyDigest>"
      "<KeyDigest id=\"Klajeyz\" validFrom=\"2017-02-02T00:00:00+00:00\"><KeyTag>20326</KeyTag><Algorithm>8</Algorithm>" +
      digest + "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest></KeyDigest></TrustAnchor>",
      "root-anchors.xml").value();
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_TRUE(r.dnskey_validated);
  ASSERT_EQ(r.anchor_matches.size(), 2u);
  EXPECT_THAT(r.anchor_matches[0], HasSubstr("(root-anchors.xml KeyDigest Kjqmt7v) matches key 19036, which signs DNSKEY"));
  EXPECT_THAT(r.anchor_matches[1], HasSubstr("DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"));
  EXPECT_THAT(r.anchor_matches[1], ::testing::EndsWith("matches key 20326"));
}

TEST(ZoneVerifier, XmlAnchorOutsideItsWindowDoesNotValidate) {
  const Zone zone = Load(RootZoneText());
  // KSK-2010's digest, but declared valid only until before the evaluation time.
  const TrustAnchor anchor = TrustAnchor::Parse(
      "<TrustAnchor><Zone>.</Zone><KeyDigest id=\"old\" validFrom=\"2010-07-15T00:00:00+00:00\" "
      "validUntil=\"2017-08-01T00:00:00+00:00\"><KeyTag>19036</KeyTag><Algorithm>8</Algorithm>"
      "<DigestType>2</DigestType><Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>"
      "</KeyDigest></TrustAnchor>",
      "old.xml").value();
  const VerifyReport r = VerifyZone(zone, &anchor, kInWindow);
  EXPECT_FALSE(r.dnskey_validated);
  EXPECT_TRUE(AnyProblemHas(r, "no trust anchor entry is valid at 2017-08-25T00:00:00Z")) << Joined(r);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_THAT(r.notes[0], HasSubstr("old.xml KeyDigest old) is not valid at 2017-08-25T00:00:00Z"));
}

}  // namespace
}  // namespace rootd::zone
