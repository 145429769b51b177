#include "zone/skr.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

using ::rootd::testing::ReadFileText;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::string kRoot(1, '\0');

std::string SkrDir() { return rootd::testing::SharedDataDir() + "/skr"; }
std::string SampleDir() { return rootd::testing::SourceDir() + "/tests/zone/data"; }
std::string Q3File() { return SkrDir() + "/skr-root-2017-q3-0-c_to_d.xml"; }

absl::Time Utc(int y, int m, int d, int h = 0, int min = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, s), absl::UTCTimeZone());
}

std::vector<std::string> SharedFiles(std::string_view prefix) {
  std::vector<std::string> out;
  if (!std::filesystem::is_directory(SkrDir())) return out;
  for (const auto& e : std::filesystem::directory_iterator(SkrDir())) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(".xml")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::set<uint16_t> KeyTags(const SkrBundle& bundle) {
  std::set<uint16_t> tags;
  for (const Record& r : bundle.dnskeys) tags.insert(KeyTag(r.rdata));
  return tags;
}

std::vector<uint16_t> SignerTags(const SkrBundle& bundle) {
  std::vector<uint16_t> tags;
  for (const Record& r : bundle.signatures) tags.push_back(ParseRrsig(r.rdata)->key_tag);
  return tags;
}

std::string ReplaceFirst(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A malformed input and the part of the error that must name where and why.
struct RefusalCase {
  const char* name;
  std::string text;
  const char* error;
};

void ExpectRefused(const std::vector<RefusalCase>& cases,
                   absl::StatusOr<SignedKeyResponse> (*parse)(std::string_view, std::string_view),
                   std::string_view file_name) {
  for (const RefusalCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<SignedKeyResponse> skr = parse(c.text, file_name);
    ASSERT_FALSE(skr.ok());
    EXPECT_THAT(std::string(skr.status().message()), HasSubstr(c.error));
  }
}

TEST(SkrXml, EveryRealSkrHasNineCompleteBundles) {
  const std::vector<std::string> files = SharedFiles("skr-root-");
  if (files.empty()) GTEST_SKIP() << "no SKR files in " << SkrDir();
  EXPECT_EQ(files.size(), 4u);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(file);
    ASSERT_TRUE(skr.ok()) << skr.status();
    EXPECT_EQ(skr->format, SignedKeyResponse::Format::kIanaXml);
    EXPECT_EQ(skr->domain, ".");
    EXPECT_TRUE(skr->has_policy);
    ASSERT_EQ(skr->bundles.size(), 9u);
    for (const SkrBundle& b : skr->bundles) {
      SCOPED_TRACE(b.id);
      EXPECT_EQ(b.expiration - b.inception, absl::Hours(21 * 24));
      ASSERT_EQ(b.stated_key_tags.size(), b.dnskeys.size());
      for (size_t i = 0; i < b.dnskeys.size(); ++i) EXPECT_EQ(b.stated_key_tags[i], KeyTag(b.dnskeys[i].rdata));
      EXPECT_FALSE(b.signatures.empty());
    }
  }
}

TEST(SkrXml, ReadsThePolicy) {
  if (!std::filesystem::exists(Q3File())) GTEST_SKIP() << "no " << Q3File();
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(Q3File());
  ASSERT_TRUE(skr.ok()) << skr.status();
  EXPECT_EQ(skr->id, "dcde8cf4-f0f8-4a7f-9975-4de167407d52");
  EXPECT_EQ(skr->serial, 0u);
  EXPECT_EQ(skr->ksk_policy.publish_safety, absl::ZeroDuration());
  EXPECT_EQ(skr->ksk_policy.retire_safety, absl::Hours(28 * 24));
  EXPECT_EQ(skr->ksk_policy.max_signature_validity, absl::Hours(21 * 24));
  EXPECT_EQ(skr->ksk_policy.min_validity_overlap, absl::Hours(9 * 24));
  EXPECT_EQ(skr->ksk_policy.algorithm, dns::kAlgRsaSha256);
  EXPECT_EQ(skr->ksk_policy.rsa_size, 2048u);
  EXPECT_EQ(skr->ksk_policy.rsa_exponent, 65537u);
  EXPECT_EQ(skr->zsk_policy.publish_safety, absl::Hours(10 * 24));
  EXPECT_EQ(skr->zsk_policy.max_validity_overlap, absl::Hours(12 * 24));
}

// The production SKR of 2017 Q3 against the real root zone of 2017-08-21: bundle 6 is, byte for
// byte, the zone's apex DNSKEY RRset and its RRSIG.
TEST(SkrXml, SixthBundleOf2017Q3IsTheRootZonesDnskeyRRset) {
  const std::string zone_file = rootd::testing::SharedDataDir() + "/zones/root.zone";
  if (!std::filesystem::exists(Q3File()) || !std::filesystem::exists(zone_file)) GTEST_SKIP() << "no shared data";
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(Q3File());
  ASSERT_TRUE(skr.ok()) << skr.status();
  ASSERT_EQ(skr->bundles.size(), 9u);
  EXPECT_THAT(KeyTags(skr->bundles[0]), UnorderedElementsAre(15768, 14796, 19036));
  const SkrBundle& b = skr->bundles[5];
  EXPECT_EQ(b.inception, Utc(2017, 8, 20));
  EXPECT_EQ(b.expiration, Utc(2017, 9, 10));
  EXPECT_THAT(KeyTags(b), UnorderedElementsAre(19036, 20326, 15768));
  EXPECT_THAT(SignerTags(b), UnorderedElementsAre(19036));

  absl::StatusOr<Zone> zone = ReadMasterFile(zone_file);
  ASSERT_TRUE(zone.ok()) << zone.status();
  const RRset* keys = zone->apex()->Find(dns::kTypeDnskey);
  ASSERT_NE(keys, nullptr);
  std::multiset<std::string> zone_rdatas, bundle_rdatas;
  for (const Record* r : keys->records) zone_rdatas.insert(r->rdata);
  for (const Record& r : b.dnskeys) {
    bundle_rdatas.insert(r.rdata);
    EXPECT_EQ(r.owner, kRoot);
    EXPECT_EQ(r.rclass, dns::kClassIn);
    EXPECT_EQ(r.ttl, keys->ttl);
  }
  EXPECT_EQ(bundle_rdatas, zone_rdatas);
  ASSERT_EQ(keys->signatures.size(), 1u);
  ASSERT_EQ(b.signatures.size(), 1u);
  EXPECT_EQ(b.signatures[0].rdata, keys->signatures[0]->rdata);
  EXPECT_EQ(b.signatures[0].ttl, keys->signatures[0]->ttl);
  EXPECT_EQ(b.signatures[0].type, dns::kTypeRrsig);
}

TEST(SkrXml, RefusesKsrs) {
  const std::vector<std::string> files = SharedFiles("ksr-root-");
  if (files.empty()) GTEST_SKIP() << "no KSR files in " << SkrDir();
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(file);
    ASSERT_FALSE(skr.ok());
    EXPECT_THAT(skr.status().message(), HasSubstr("<Request>: a KSR, not an SKR"));
    EXPECT_THAT(skr.status().message(), HasSubstr(file + ":"));
  }
}

TEST(SkrXml, RefusesMalformedFilesNamingLineAndElement) {
  if (!std::filesystem::exists(Q3File())) GTEST_SKIP() << "no " << Q3File();
  const std::string good = ReadFileText(Q3File());
  ExpectRefused(
      {
          {"missing Expiration", ReplaceFirst(good, "<Expiration>2017-07-22T00:00:00+00:00</Expiration>", ""),
           "t.xml:28: <ResponseBundle>: missing <Expiration>"},
          {"bad base64", ReplaceFirst(good, "<PublicKey>AwEAAYvx", "<PublicKey>AwE!AYvx"),
           "t.xml:36: <PublicKey>: bad base64"},
          {"wrong TypeCovered", ReplaceFirst(good, "<TypeCovered>DNSKEY", "<TypeCovered>SOA"),
           "t.xml:54: <TypeCovered>: type covered 'SOA' is not DNSKEY"},
          {"bad number", ReplaceFirst(good, "<Flags>257</Flags>", "<Flags>25x</Flags>"),
           "t.xml:47: <Flags>: bad number '25x'"},
          {"flags out of range", ReplaceFirst(good, "<Flags>257</Flags>", "<Flags>65536</Flags>"),
           "t.xml:47: <Flags>: number 65536 out of range"},
          {"signature inception after expiration",
           ReplaceFirst(good, "<SignatureInception>2017-07-01", "<SignatureInception>2017-07-23"),
           "t.xml:52: <Signature>: signature inception 2017-07-23T00:00:00Z after its expiration"},
          {"bundle inception after expiration", ReplaceFirst(good, "<Inception>2017-07-01", "<Inception>2017-07-23"),
           "t.xml:28: <ResponseBundle>: inception 2017-07-23T00:00:00Z after expiration"},
          {"bad time", ReplaceFirst(good, "<Inception>2017-07-01T", "<Inception>2017-07-01 "),
           "t.xml:29: <Inception>: bad time"},
          {"missing keyTag", ReplaceFirst(good, "keyTag=\"15768\"", ""), "t.xml:31: <Key>: missing attribute keyTag"},
          {"no signature",
           ReplaceFirst(ReplaceFirst(good, "<Signature keyIdentifier=\"Kjqmt7v\">", "<Other>"), "</Signature>",
                        "</Other>"),
           "t.xml:28: <ResponseBundle>: no RRSIG over the DNSKEY RRset"},
          {"bad duration", ReplaceFirst(good, "<RetireSafety>P28D", "<RetireSafety>P1M"),
           "t.xml:7: <RetireSafety>: bad duration 'P1M': years and months"},
          {"truncated", good.substr(0, good.size() / 2), "t.xml:"},
          {"not XML", "this is not XML", "t.xml:1: not well-formed XML"},
          {"another root element", "<TrustAnchor/>", "t.xml:1: <TrustAnchor>: the root element is not <KSR>"},
          {"a DTD", "<?xml version=\"1.0\"?>\n<!DOCTYPE KSR [<!ENTITY a \"aaaa\">]>\n<KSR/>",
           "t.xml: a DTD is not expected in an SKR"},
          {"no Response", "<KSR id=\"x\" domain=\".\" serial=\"1\">\n</KSR>", "t.xml:1: <KSR>: missing <Response>"},
      },
      ParseSkrXml, "t.xml");
}

TEST(KnotSkr, ReadsKeymgrRsaSample) {
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(SampleDir() + "/skr_knot_rsa.valid");
  ASSERT_TRUE(skr.ok()) << skr.status();
  EXPECT_EQ(skr->format, SignedKeyResponse::Format::kKnotText);
  EXPECT_FALSE(skr->has_policy);
  ASSERT_EQ(skr->bundles.size(), 3u);
  const SkrBundle& b = skr->bundles[0];
  EXPECT_EQ(b.id, "2026-12-06T07:53:21Z");
  EXPECT_EQ(b.inception, Utc(2026, 12, 6, 7, 53, 21));
  EXPECT_EQ(b.expiration, Utc(2026, 12, 27, 7, 53, 21));  // the RRSIG's expiration
  EXPECT_EQ(b.line, 1u);
  EXPECT_EQ(skr->bundles[1].line, 32u);
  for (const SkrBundle& bundle : skr->bundles) {
    SCOPED_TRACE(bundle.id);
    EXPECT_THAT(KeyTags(bundle), UnorderedElementsAre(63616, 56381));
    EXPECT_THAT(SignerTags(bundle), UnorderedElementsAre(56381));
    EXPECT_EQ(bundle.dnskeys[0].ttl, 172800u);
    EXPECT_EQ(bundle.dnskeys[0].owner, kRoot);
  }
}

TEST(KnotSkr, ReadsKeymgrZskRollSample) {
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(SampleDir() + "/skr_knot_ecdsa_zsk_roll.valid");
  ASSERT_TRUE(skr.ok()) << skr.status();
  ASSERT_EQ(skr->bundles.size(), 6u);
  EXPECT_THAT(KeyTags(skr->bundles[0]), UnorderedElementsAre(18786, 51404));
  EXPECT_THAT(KeyTags(skr->bundles[2]), UnorderedElementsAre(18786, 16234, 51404));
  EXPECT_THAT(KeyTags(skr->bundles[5]), UnorderedElementsAre(16234, 51404));
  for (const SkrBundle& bundle : skr->bundles) {
    SCOPED_TRACE(bundle.id);
    EXPECT_THAT(SignerTags(bundle), UnorderedElementsAre(51404));
    EXPECT_EQ(ParseRrsig(bundle.signatures[0].rdata)->algorithm, dns::kAlgEcdsaP256);
  }
}

TEST(KnotSkr, RefusesMalformedFiles) {
  const std::string good = ReadFileText(SampleDir() + "/skr_knot_rsa.valid");
  ASSERT_FALSE(good.empty());
  const std::string ksr = ReadFileText(SampleDir() + "/ksr_knot_rsa.refused");
  ExpectRefused(
      {
          {"a KSR", ksr, "k.txt:1: a KSR, not an SKR"},
          {"record before the first header", ". 3600 IN DNSKEY 256 3 8 AwEAAQ==\n" + good,
           "k.txt:1: record before the first snapshot header"},
          {"other type", ReplaceFirst(good, "=========\n", "=========\n. 3600 IN NS a.root-servers.net.\n"),
           "k.txt:2: NS record in an SKR"},
          {"RRSIG over SOA", ReplaceFirst(good, "RRSIG DNSKEY 8 0", "RRSIG SOA 8 0"),
           "k.txt:20: RRSIG covers SOA, not DNSKEY"},
          {"bad base64", ReplaceFirst(good, "AwEAAZr8", "AwE!AZr8"), "k.txt:3: bad base64"},
          {"snapshot without RRSIG",
           good.substr(0, good.find(".                   \t172800 RRSIG")) +
               good.substr(good.find(";; SignedKeyResponse", 1)),
           "k.txt:1: no RRSIG over the DNSKEY RRset"},
          {"bad snapshot time", ReplaceFirst(good, "1.0 1796543601", "1.0 17965x3601"), "k.txt:1: bad snapshot time"},
          {"owner not the root", ReplaceFirst(good, ".                   \t172800 DNSKEY", "com. 172800 DNSKEY"),
           "k.txt:2: not owned by '.'"},
          {"a directive", ReplaceFirst(good, "=========\n", "=========\n$INCLUDE /etc/hostname\n"),
           "k.txt:2: no directives"},
          {"no header", "; nothing\n", "k.txt: no \";; SignedKeyResponse 1.0 <time>\" snapshot header"},
      },
      ParseKnotSkr, "k.txt");
}

TEST(ReadSkrFile, RefusesOtherFiles) {
  const std::string path = ::testing::TempDir() + "/skr_other.txt";
  std::ofstream(path) << "$TTL 3600\n";
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(path);
  ASSERT_FALSE(skr.ok());
  EXPECT_THAT(skr.status().message(), HasSubstr("neither IANA SKR XML nor a Knot SignedKeyResponse"));
  EXPECT_FALSE(ReadSkrFile(::testing::TempDir() + "/does-not-exist").ok());
}

TEST(XsdDuration, ParsesCeremonyDurations) {
  const std::pair<const char*, absl::Duration> good[] = {
      {"P21D", absl::Hours(21 * 24)}, {"PT0S", absl::ZeroDuration()}, {"P1DT12H", absl::Hours(36)},
      {"PT1H30M", absl::Minutes(90)}, {"PT90S", absl::Seconds(90)},   {"P0D", absl::ZeroDuration()},
  };
  for (const auto& [text, want] : good) {
    SCOPED_TRACE(text);
    absl::StatusOr<absl::Duration> d = ParseXsdDuration(text);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, want);
  }
  for (const char* text : {"", "P", "PT", "21D", "P1Y", "P1M", "PT1H1H", "PT1M1H", "P1DT", "P-1D", "PT1.5S", "P1D2",
                           "P1DT1HT1M", "P99999999999D"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseXsdDuration(text).ok());
  }
}

}  // namespace
}  // namespace rootd::zone
