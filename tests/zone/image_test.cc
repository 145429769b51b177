#include "zone/image.h"

#include <gtest/gtest.h>

#include "tests/test_paths.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

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
  static ImageQuery Query(std::string_view tld, uint16_t qtype, bool dnssec_ok, bool below = false) {
    ImageQuery q;
    q.tld = tld;
    q.tld_key = LabelKey(tld);
    q.below_tld = below;
    q.qtype = qtype;
    q.dnssec_ok = dnssec_ok;
    return q;
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

TEST_F(ImageTest, DnskeySwapRebuildsOnlyTheApex) {
  // Keep KSK-2010 and the ZSK, drop KSK-2017: the DNSKEY answer shrinks by one key.
  std::vector<Record> keys, signatures;
  for (const Record& r : zone_->records()) {
    if (r.type == dns::kTypeDnskey) keys.push_back(r);
    if (r.type == dns::kTypeRrsig && RrsigTypeCovered(r) == dns::kTypeDnskey) signatures.push_back(r);
  }
  ASSERT_EQ(keys.size(), 3u);
  keys.erase(keys.begin() + 1);
  auto swapped = image_->WithDnskeys(keys, signatures);
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  const ResponseBody before = image_->Find(Query("", dns::kTypeDnskey, true));
  const ResponseBody after = (*swapped)->Find(Query("", dns::kTypeDnskey, true));
  EXPECT_EQ(before.full().counts.answer, 4);
  EXPECT_EQ(after.full().counts.answer, 3);
  // Everything below the apex is shared, not rebuilt.
  EXPECT_EQ(image_->Find(Query("com", dns::kTypeNs, true)).bytes, (*swapped)->Find(Query("com", dns::kTypeNs, true)).bytes);
  EXPECT_EQ((*swapped)->serial(), image_->serial());
  // A record that is not a DNSKEY owned by "." is refused.
  std::vector<Record> wrong = {signatures.front()};
  EXPECT_FALSE(image_->WithDnskeys(wrong, signatures).ok());
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

}  // namespace
}  // namespace rootd::zone
