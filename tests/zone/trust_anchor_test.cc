#include "zone/trust_anchor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/test_paths.h"
#include "zone/encoding.h"

namespace rootd::zone {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d) { return absl::FromCivil(absl::CivilSecond(y, m, d, 0, 0, 0), absl::UTCTimeZone()); }

// Shaped like IANA's https://data.iana.org/root-anchors/root-anchors.xml (2017 edition).
constexpr char kRootAnchorsXml[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="380DC50D-484E-40D0-A3AE-68F2B18F61C7" source="http://data.iana.org/root-anchors/root-anchors.xml">
<Zone>.</Zone>
<KeyDigest id="Kjqmt7v" validFrom="2010-07-15T00:00:00+00:00" validUntil="2019-01-11T00:00:00+00:00">
<KeyTag>19036</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>
</KeyDigest>
<KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00">
<KeyTag>20326</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>
E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
</Digest>
</KeyDigest>
</TrustAnchor>
)";

TEST(TrustAnchor, ParsesRootAnchorsXmlFromAFile) {
  const std::string path = ::testing::TempDir() + "root-anchors-test.xml";
  std::ofstream(path) << kRootAnchorsXml;
  const absl::StatusOr<TrustAnchor> a = TrustAnchor::LoadFile(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->entries().size(), 2u);
  const AnchorEntry& ksk2010 = a->entries()[0];
  const AnchorEntry& ksk2017 = a->entries()[1];
  EXPECT_EQ(ksk2010.kind, AnchorEntry::Kind::kDs);
  EXPECT_EQ(ksk2010.owner, std::string(1, '\0'));
  EXPECT_EQ(ksk2010.key_tag, 19036);
  EXPECT_EQ(ksk2017.key_tag, 20326);
  EXPECT_EQ(ksk2017.algorithm, 8);
  EXPECT_EQ(ksk2017.digest_type, 2);
  EXPECT_EQ(HexEncode(ksk2017.digest), "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D");
  EXPECT_EQ(ksk2017.source, path + " KeyDigest Klajeyz");
  // Validity windows: KSK-2010 until 2019-01-11 (exclusive), KSK-2017 from 2017-02-02 on.
  EXPECT_TRUE(ksk2010.IsValidAt(Utc(2017, 8, 25)));
  EXPECT_FALSE(ksk2010.IsValidAt(Utc(2019, 1, 11)));
  EXPECT_FALSE(ksk2010.IsValidAt(Utc(2010, 7, 14)));
  EXPECT_FALSE(ksk2017.IsValidAt(Utc(2017, 2, 1)));
  EXPECT_TRUE(ksk2017.IsValidAt(Utc(2030, 1, 1)));
  ASSERT_TRUE(ksk2010.valid_until.has_value());
  EXPECT_EQ(*ksk2010.valid_until, Utc(2019, 1, 11));
}

TEST(TrustAnchor, XmlDigestsMatchTheRootKeys) {
  const TrustAnchor xml = TrustAnchor::Parse(kRootAnchorsXml, "root-anchors.xml").value();
  const TrustAnchor ksk = TrustAnchor::LoadFile(rootd::testing::SharedDataDir() + "/zones/root.zone.ksk").value();
  ASSERT_EQ(ksk.entries().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const AnchorEntry& key = ksk.entries()[i];
    EXPECT_EQ(key.kind, AnchorEntry::Kind::kDnskey);
    EXPECT_TRUE(xml.entries()[i].Matches(key.owner, key.dnskey_rdata));
    EXPECT_FALSE(xml.entries()[1 - i].Matches(key.owner, key.dnskey_rdata));
    EXPECT_TRUE(key.Matches(std::string(1, '\0'), key.dnskey_rdata));
  }
}

TEST(TrustAnchor, ParsesDsFile) {
  const TrustAnchor a = TrustAnchor::LoadFile(rootd::testing::SharedDataDir() + "/zones/root.zone.ds").value();
  ASSERT_EQ(a.entries().size(), 1u);
  EXPECT_EQ(a.entries()[0].ToString(), "DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5");
  EXPECT_FALSE(a.entries()[0].valid_from.has_value());
}

TEST(TrustAnchor, ParsesDnskeyFileWithTtlsAndTags) {
  const TrustAnchor a = TrustAnchor::LoadFile(rootd::testing::SharedDataDir() + "/zones/root.zone.ksk").value();
  ASSERT_EQ(a.entries().size(), 2u);
  EXPECT_EQ(a.entries()[0].key_tag, 19036);
  EXPECT_EQ(a.entries()[1].key_tag, 20326);
  EXPECT_EQ(a.entries()[0].dnskey_rdata.size(), 4u + 260u);  // RSA-2048: 1 + 3 + 256 octets
  EXPECT_EQ(a.entries()[0].ToString(), "DNSKEY 257 3 8 (tag 19036)");
}

TEST(TrustAnchor, TextWithCommentsParenthesesAndClassBeforeTtl) {
  // unbound/Debian style: comments, a key split over lines in parentheses, class then TTL.
  const std::string text =
      "; autotrust trust anchor file\n"
      "# another comment style\n"
      "$TTL 3600\n"
      ".\tIN 172800 DNSKEY 257 3 8 (\n"
      "  AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8k\n"
      "  vArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+e\n"
      "  oZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1A\n"
      "  kUTV74bU= ) ; {id = 20326 (ksk), size = 2048b}\n"
      ". ds 20326 8 2 e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d\n";
  const absl::StatusOr<TrustAnchor> a = TrustAnchor::Parse(text, "root.key");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->entries().size(), 2u);
  EXPECT_EQ(a->entries()[0].key_tag, 20326);
  EXPECT_EQ(a->entries()[0].source, "root.key:4");
  EXPECT_EQ(a->entries()[1].source, "root.key:9");
  EXPECT_TRUE(a->entries()[1].Matches(a->entries()[0].owner, a->entries()[0].dnskey_rdata));
}

TEST(TrustAnchor, RejectsMalformedInput) {
  EXPECT_THAT(TrustAnchor::Parse(". IN DS 19036 8 2 49AZ\n", "x").status().message(), HasSubstr("x:1: hex"));
  EXPECT_THAT(TrustAnchor::Parse("\n. IN A 192.0.2.1\n", "x").status().message(),
              HasSubstr("x:2: type A is not DS or DNSKEY"));
  EXPECT_THAT(TrustAnchor::Parse(". IN DNSKEY 257 3 8 AwE=A\n", "x").status().message(), HasSubstr("base64"));
  EXPECT_THAT(TrustAnchor::Parse("; nothing\n", "x").status().message(), HasSubstr("no DS or DNSKEY"));
  EXPECT_THAT(TrustAnchor::Parse(". IN DS 70000 8 2 00\n", "x").status().message(), HasSubstr("out of range"));
  EXPECT_FALSE(TrustAnchor::Parse("<TrustAnchor><KeyDigest>", "x.xml").ok());
  EXPECT_THAT(TrustAnchor::Parse("<TrustAnchor><KeyDigest id=\"k\" validFrom=\"yesterday\"><KeyTag>1</KeyTag>"
                                 "<Algorithm>8</Algorithm><DigestType>2</DigestType><Digest>00</Digest></KeyDigest>"
                                 "</TrustAnchor>",
                                 "x.xml")
                  .status()
                  .message(),
              HasSubstr("x.xml KeyDigest k: validFrom: bad time 'yesterday'"));
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(Base64Decode("").value(), "");
  EXPECT_EQ(Base64Decode("Zg==").value(), "f");
  EXPECT_EQ(Base64Decode("Zg").value(), "f");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_EQ(Base64Decode("Zm9v").value(), "foo");
  EXPECT_EQ(Base64Decode("Zm9v YmFy").value(), "foobar");
  EXPECT_EQ(Base64Decode("//8=").value(), "\xff\xff");
}

TEST(Base64, RejectsBadPaddingAndCharacters) {
  EXPECT_FALSE(Base64Decode("Zg=").ok());     // one '=' after a 2-character quantum
  EXPECT_FALSE(Base64Decode("Zm9v=").ok());   // padding without a partial quantum
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());  // data after padding
  EXPECT_FALSE(Base64Decode("Z").ok());       // 6 bits cannot make an octet
  EXPECT_FALSE(Base64Decode("Zh==").ok());    // nonzero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9*").ok());
}

TEST(Hex, DecodesAndEncodes) {
  EXPECT_EQ(HexDecode("00fFa0").value(), std::string("\x00\xff\xa0", 3));
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("0g").ok());
  EXPECT_EQ(HexEncode(std::string("\x00\xff\xa0", 3)), "00FFA0");
}

}  // namespace
}  // namespace rootd::zone
