#include "zone/image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"

#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/lab_zone.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/signer.h"

namespace rootd::zone {
namespace {

// The real zone's DNSKEY RRSIG is valid from 2017-08-20 to 2017-09-10.
const absl::Time kValidAt = absl::FromCivil(absl::CivilSecond(2017, 8, 25, 0, 0, 0), absl::UTCTimeZone());
// DnskeyRRsetId of the real zone's DNSKEY RRset (ZSK 15768, KSKs 19036 and 20326), computed
// apart from rootd: SHA-256 over the three RRs as ". DNSKEY IN, TTL 0, RDATA" sorted by RDATA.
constexpr uint32_t kRealDnskeyId = 0x90ba1bb5;

std::string_view Bytes(const ResponseBody& body) {
  return std::string_view(reinterpret_cast<const char*>(body.bytes), body.length);
}

ImageQuery Query(std::string_view tld, uint16_t qtype, bool dnssec_ok, bool below = false) {
  ImageQuery q;
  q.tld = tld;
  q.tld_key = LabelKey(tld);
  q.below_tld = below;
  q.qtype = qtype;
  q.dnssec_ok = dnssec_ok;
  return q;
}

class ImageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    zone_ = new Zone(ReadMasterFile(rootd::testing::SharedDataDir() + "/zones/root.zone").value());
    image_ = ZoneImage::Compile(*zone_).value();
  }
  static void TearDownTestSuite() {
    image_.reset();
    delete zone_;
  }
  static std::vector<Record> Dnskeys() {
    std::vector<Record> out;
    for (const Record* r : zone_->apex()->Find(dns::kTypeDnskey)->records) out.push_back(*r);
    return out;
  }
  static std::vector<Record> DnskeySignatures() {
    std::vector<Record> out;
    for (const Record* r : zone_->apex()->Find(dns::kTypeDnskey)->signatures) out.push_back(*r);
    return out;
  }
  static Zone* zone_;
  static std::shared_ptr<const ZoneImage> image_;
};
Zone* ImageTest::zone_ = nullptr;
std::shared_ptr<const ZoneImage> ImageTest::image_;

TEST_F(ImageTest, RealRootZoneSummary) {
  EXPECT_EQ(image_->serial(), 2017082100u);
  EXPECT_EQ(image_->tld_count(), 1547u);
  EXPECT_LT(image_->memory_bytes(), 64u << 20);
}

TEST_F(ImageTest, EveryTldIsFoundAndEveryOtherLabelIsNxDomain) {
  for (const Node& node : zone_->nodes()) {
    if (node.name.size() < 2 || node.name[0] + 2 != static_cast<int>(node.name.size())) continue;  // TLDs only
    const std::string_view label(node.name.data() + 1, static_cast<uint8_t>(node.name[0]));
    SCOPED_TRACE(std::string(label));
    const ResponseBody referral = image_->Find(Query(label, dns::kTypeA, false, true));
    EXPECT_FALSE(referral.authoritative);
    EXPECT_EQ(referral.rcode, 0);
    EXPECT_GT(referral.full().counts.authority, 0);
    // The label with a trailing hyphen sorts between this TLD and the next (no TLD ends in
    // one): NXDOMAIN.
    const std::string longer = std::string(label) + "-";
    EXPECT_EQ(image_->Find(Query(longer, dns::kTypeA, true)).rcode, 3);
  }
}

TEST_F(ImageTest, IdentityNamesSerialAndKeys) {
  const ImageIdentity& id = image_->identity();
  EXPECT_EQ(id.serial, 2017082100u);
  EXPECT_EQ(id.keys, (std::vector<ServedKey>{{15768, 8, false, false}, {19036, 8, true, false}, {20326, 8, true, false}}));
  // Pinned: statistics keyed by it must not change meaning between versions of rootd.
  EXPECT_EQ(id.dnskey_id, kRealDnskeyId);
  EXPECT_EQ(id.StatsKey(), uint64_t{2017082100} << 32 | kRealDnskeyId);
  EXPECT_EQ(id.ToString(), "serial 2017082100 dnskey 90ba1bb5 keys 15768/8 ZSK, 19036/8 KSK, 20326/8 KSK");
}

TEST_F(ImageTest, SameDnskeyRRsetInAnyOrderIsAcceptedWithTheSameIdentity) {
  std::vector<Record> keys = Dnskeys();
  std::reverse(keys.begin(), keys.end());
  auto swapped = image_->WithDnskeys(keys, DnskeySignatures(), kValidAt);
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  EXPECT_EQ((*swapped)->identity(), image_->identity());
  const ResponseBody before = image_->Find(Query("", dns::kTypeDnskey, true));
  const ResponseBody after = (*swapped)->Find(Query("", dns::kTypeDnskey, true));
  EXPECT_EQ(Bytes(after), Bytes(before));
  // Everything below the apex is shared, not rebuilt.
  EXPECT_EQ(image_->Find(Query("com", dns::kTypeNs, true)).bytes, (*swapped)->Find(Query("com", dns::kTypeNs, true)).bytes);
}

TEST_F(ImageTest, WrongDnskeyReplacementsAreRefusedWithTheReason) {
  const std::vector<Record> keys = Dnskeys();
  const std::vector<Record> signatures = DnskeySignatures();
  ASSERT_EQ(keys.size(), 3u);
  ASSERT_EQ(signatures.size(), 1u);
  auto without = [&](uint16_t tag) {
    std::vector<Record> out;
    for (const Record& k : keys) {
      if (KeyTag(k.rdata) != tag) out.push_back(k);
    }
    return out;
  };
  // A key with the ZSK's tag but other key bits: octets two apart weigh the same in the tag.
  std::vector<Record> forged_zsk = without(15768);
  forged_zsk.push_back(*std::find_if(keys.begin(), keys.end(), [](const Record& k) { return KeyTag(k.rdata) == 15768; }));
  std::string& bits = forged_zsk.back().rdata;
  ASSERT_NE(bits[10], bits[12]);
  std::swap(bits[10], bits[12]);
  ASSERT_EQ(KeyTag(bits), 15768);
  std::vector<Record> flipped = signatures;
  flipped[0].rdata[flipped[0].rdata.size() - 10] ^= 0x01;
  std::vector<Record> not_dnskey_signature = signatures;
  not_dnskey_signature[0].rdata[1] = static_cast<char>(dns::kTypeSoa);

  const absl::Time expired = absl::FromCivil(absl::CivilSecond(2017, 9, 10, 0, 0, 1), absl::UTCTimeZone());
  const absl::Time too_early = absl::FromCivil(absl::CivilSecond(2017, 8, 19, 23, 59, 59), absl::UTCTimeZone());
  const std::string window = "(key 19036 from 2017-08-20T00:00:00Z to 2017-09-10T00:00:00Z)";
  struct Case {
    std::string name;
    std::vector<Record> keys, signatures;
    absl::Time at;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"ZSK left out", without(15768), signatures, kValidAt, absl::StatusCode::kInvalidArgument,
       "the new DNSKEY RRset lacks key 15768 alg 8, which signs the zone's other RRsets"},
      {"ZSK replaced by another key with its tag", forged_zsk, signatures, kValidAt, absl::StatusCode::kInvalidArgument,
       "the new DNSKEY RRset lacks key 15768 alg 8, which signs the zone's other RRsets"},
      {"a key the signature covers left out", without(20326), signatures, kValidAt, absl::StatusCode::kInvalidArgument,
       "the RRSIG by key 19036 over the new DNSKEY RRset is wrong: signature does not verify with key 19036"},
      {"the signing key left out", without(19036), signatures, kValidAt, absl::StatusCode::kInvalidArgument,
       "the RRSIG by key 19036 over the new DNSKEY RRset is wrong: no DNSKEY with tag 19036 alg 8"},
      {"a flipped signature octet", keys, flipped, kValidAt, absl::StatusCode::kInvalidArgument,
       "the RRSIG by key 19036 over the new DNSKEY RRset is wrong: signature does not verify with key 19036"},
      {"expired", keys, signatures, expired, absl::StatusCode::kFailedPrecondition,
       "no RRSIG over the new DNSKEY RRset is valid at 2017-09-10T00:00:01Z " + window},
      {"not yet valid", keys, signatures, too_early, absl::StatusCode::kFailedPrecondition,
       "no RRSIG over the new DNSKEY RRset is valid at 2017-08-19T23:59:59Z " + window},
      {"no signatures", keys, {}, kValidAt, absl::StatusCode::kInvalidArgument, "the new DNSKEY RRset has no RRSIG"},
      {"no keys", {}, signatures, kValidAt, absl::StatusCode::kInvalidArgument, "the new DNSKEY RRset is empty"},
      {"a signature among the keys", {keys[0], signatures[0]}, signatures, kValidAt, absl::StatusCode::kInvalidArgument,
       "a replacement DNSKEY record is not a DNSKEY owned by '.'"},
      {"a signature over another type", keys, not_dnskey_signature, kValidAt, absl::StatusCode::kInvalidArgument,
       "a replacement signature is not an RRSIG over '.' DNSKEY"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto swapped = image_->WithDnskeys(c.keys, c.signatures, c.at);
    ASSERT_FALSE(swapped.ok());
    EXPECT_EQ(swapped.status().code(), c.code);
    EXPECT_EQ(swapped.status().message(), c.message);
  }
  // The edges of the window are inside it.
  for (absl::Time at : {expired - absl::Seconds(1), too_early + absl::Seconds(1)}) {
    EXPECT_TRUE(image_->WithDnskeys(keys, signatures, at).ok()) << FormatUtc(at);
  }
}

}  // namespace
}  // namespace rootd::zone

namespace rootd::zone {
namespace {

TEST(ImageLimits, AnswerWithMoreOptionalRRsetsThanCutPointsIsRefused) {
  // 300 sibling name servers: 300 optional glue RRsets, more cut points than a body holds.
  std::string text = ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\n"
                     "other. 172800 IN NS ns0.other.\n";
  for (int i = 0; i < 300; ++i) {
    const std::string ns = "ns" + std::to_string(i) + ".other.";
    text += "wide. 172800 IN NS " + ns + "\n" + ns + " 172800 IN A 192.0.2.1\n";
  }
  const auto image = ZoneImage::Compile(ReadMasterText(text, "wide.zone").value());
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().message(), "wide.: its referral exceeds 65535 octets or 255 optional glue RRsets");
}


// A lab zone with an ECDSA KSK, a revoked ECDSA KSK and an ECDSA ZSK (ECDSA keys are quick to
// derive), into which a second live KSK is rolled.
class ImageRolloverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LabZoneOptions options;
    options.seed = 11;
    options.tld_count = 5;
    LabKeySpec revoked{dns::kAlgEcdsaP256};
    revoked.revoked = true;
    options.ksk_specs = {LabKeySpec{dns::kAlgEcdsaP256}, revoked};
    options.zsk_specs = {LabKeySpec{dns::kAlgEcdsaP256}};
    lab_ = new LabZone(GenerateLabZone(options).value());
    now_ = options.now;
  }
  static void TearDownTestSuite() { delete lab_; }

  // The lab zone's DNSKEY records plus `more` keys, signed by its live KSK and `more`.
  static absl::StatusOr<std::shared_ptr<const ZoneImage>> Roll(const ZoneImage& image, std::vector<SigningKey> more) {
    std::vector<Record> keys;
    for (const Record& r : lab_->records) {
      if (r.type == dns::kTypeDnskey) keys.push_back(r);
    }
    for (const SigningKey& k : more) keys.push_back(Record{keys[0].owner, dns::kTypeDnskey, dns::kClassIn, keys[0].ttl, k.dnskey_rdata()});
    std::vector<std::string_view> rdatas;
    for (const Record& r : keys) rdatas.push_back(r.rdata);
    more.push_back(lab_->ksks[0]);
    std::vector<Record> signatures;
    for (const SigningKey& k : more) {
      absl::StatusOr<Record> s = SignRrset(k, RrsetToSign{keys[0].owner, dns::kTypeDnskey, dns::kClassIn, keys[0].ttl, rdatas},
                                           SignatureValidity::Between(now_ - absl::Hours(1), now_ + absl::Hours(24 * 10)));
      if (!s.ok()) return s.status();
      signatures.push_back(*std::move(s));
    }
    return image.WithDnskeys(std::move(keys), std::move(signatures), now_);
  }

  static LabZone* lab_;
  static absl::Time now_;
};
LabZone* ImageRolloverTest::lab_ = nullptr;
absl::Time ImageRolloverTest::now_;

TEST_F(ImageRolloverTest, IdentityListsRolesAndRevocationAndIgnoresRecordOrder) {
  const auto image = ZoneImage::Compile(Zone::FromRecords({"lab"}, lab_->records).value()).value();
  std::vector<Record> reversed = lab_->records;
  std::reverse(reversed.begin(), reversed.end());
  const auto again = ZoneImage::Compile(Zone::FromRecords({"lab"}, reversed).value()).value();
  EXPECT_EQ(again->identity(), image->identity());

  const ImageIdentity& id = image->identity();
  EXPECT_EQ(id.serial, lab_->serial);
  std::vector<ServedKey> expected;
  for (const SigningKey& k : lab_->ksks) expected.push_back({k.key_tag(), k.algorithm(), true, k.is_revoked()});
  for (const SigningKey& k : lab_->zsks) expected.push_back({k.key_tag(), k.algorithm(), false, false});
  std::sort(expected.begin(), expected.end(), [](const ServedKey& a, const ServedKey& b) { return a.tag < b.tag; });
  EXPECT_EQ(id.keys, expected);
  EXPECT_NE(id.ToString().find(absl::StrFormat("%d/13 KSK REVOKED", lab_->ksks[1].key_tag())), std::string::npos)
      << id.ToString();
}

TEST_F(ImageRolloverTest, SecondKskSignedByBothKsksIsServed) {
  const auto image = ZoneImage::Compile(Zone::FromRecords({"lab"}, lab_->records).value()).value();
  const SigningKey new_ksk = SigningKey::FromSeed(dns::kAlgEcdsaP256, kKskFlags, "image-test", "new ksk").value();
  auto rolled = Roll(*image, {new_ksk});
  ASSERT_TRUE(rolled.ok()) << rolled.status();

  const ImageIdentity& id = (*rolled)->identity();
  EXPECT_EQ(id.serial, image->identity().serial);
  EXPECT_NE(id.dnskey_id, image->identity().dnskey_id);
  EXPECT_NE(id.StatsKey(), image->identity().StatsKey());
  EXPECT_EQ(id.keys.size(), image->identity().keys.size() + 1);
  EXPECT_NE(std::find(id.keys.begin(), id.keys.end(), ServedKey{new_ksk.key_tag(), dns::kAlgEcdsaP256, true, false}),
            id.keys.end());

  // The DNSKEY answer now carries the new key and its signature; the old image's does not.
  const ResponseBody before = image->Find(Query("", dns::kTypeDnskey, true));
  const ResponseBody after = (*rolled)->Find(Query("", dns::kTypeDnskey, true));
  EXPECT_EQ(Bytes(before).find(new_ksk.dnskey_rdata()), std::string_view::npos);
  EXPECT_NE(Bytes(after).find(new_ksk.dnskey_rdata()), std::string_view::npos);
  EXPECT_EQ(before.full().counts.answer, 5);  // three keys, RRSIGs by both KSKs (RFC 5011: the revoked one too)
  EXPECT_EQ(after.full().counts.answer, 6);   // four keys, RRSIGs by the two live KSKs
  // Other apex answers are unchanged.
  EXPECT_EQ(Bytes((*rolled)->Find(Query("", dns::kTypeSoa, true))), Bytes(image->Find(Query("", dns::kTypeSoa, true))));
  // ZONEMD too: served as the zone file has it, with its signature (the decision documented in
  // README.md: leaving it out would contradict the apex NSEC; no transfer lets anyone check it).
  const ResponseBody zonemd = (*rolled)->Find(Query("", dns::kTypeZonemd, true));
  EXPECT_EQ(zonemd.full().counts.answer, 2);  // ZONEMD and its RRSIG
  EXPECT_EQ(Bytes(zonemd), Bytes(image->Find(Query("", dns::kTypeZonemd, true))));

  // A key that signs nothing may also leave again, by a second swap from the rolled image.
  auto back = Roll(**rolled, {});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->identity(), image->identity());
}

}  // namespace
}  // namespace rootd::zone
