#include "server/engine.h"

#include <gtest/gtest.h>

#include "tests/server/engine_test_util.h"
#include "tests/server/test_zones.h"
#include "tests/test_paths.h"
#include "zone/rr_types.h"

namespace rootd::server {
namespace {

using testing::Ask;
using testing::BigTld;
using testing::Decode;
using testing::MakeQuery;
using testing::QueryOptions;

// A small unsigned root zone whose answers are checked byte by byte.
constexpr char kTinyZone[] = R"(
$TTL 86400
.                    86400  IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112300 1800 900 604800 86400
.                    518400 IN NS  a.root-servers.net.
net.                 172800 IN NS  a.root-servers.net.
a.root-servers.net.  518400 IN A   198.41.0.4
com.                 172800 IN NS  a.gtld-servers.net.
a.gtld-servers.net.  172800 IN A   192.5.6.30
de.                  172800 IN NS  a.nic.de.
de.                  172800 IN NS  a.gtld-servers.net.
a.nic.de.            172800 IN A   194.0.0.53
a.nic.de.            172800 IN AAAA 2001:678:2::53
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = testing::CompileText(std::string(kTinyZone) + BigTld());
    ASSERT_NE(image_, nullptr);
  }
  testing::Response AskTiny(const std::string& name, uint16_t qtype, const QueryOptions& o = {},
                            Transport t = Transport::kUdp) {
    return Ask(engine_, *image_, MakeQuery(name, qtype, o), t);
  }
  Engine engine_{EngineConfig{}};
  std::shared_ptr<const zone::ZoneImage> image_;
};

TEST_F(EngineTest, ReferralBytesWithPointersIntoTheClientsQuestion) {
  QueryOptions o;
  o.rd = true;
  const auto r = AskTiny("www.Example.de.", dns::kTypeA, o);
  const std::vector<uint8_t> expected = {
      0x12, 0x34, 0x81, 0x00, 0, 1, 0, 0, 0, 2, 0, 3,  // QR RD, no AA; 2 NS, 3 glue
      3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'd', 'e', 0, 0, 1, 0, 1,
      // de. NS a.nic.de. (owner -> "de" in the question at 24)
      0xc0, 24, 0, 2, 0, 1, 0x00, 0x02, 0xa3, 0x00, 0, 8, 1, 'a', 3, 'n', 'i', 'c', 0xc0, 24,
      // de. NS a.gtld-servers.net.
      0xc0, 24, 0, 2, 0, 1, 0x00, 0x02, 0xa3, 0x00, 0, 20, 1, 'a', 12, 'g', 't', 'l', 'd', '-', 's', 'e', 'r', 'v',
      'e', 'r', 's', 3, 'n', 'e', 't', 0,
      // in-domain glue: a.nic.de. A and AAAA (owner -> offset 44)
      0xc0, 44, 0, 1, 0, 1, 0x00, 0x02, 0xa3, 0x00, 0, 4, 194, 0, 0, 53,  //
      0xc0, 44, 0, 28, 0, 1, 0x00, 0x02, 0xa3, 0x00, 0, 16, 0x20, 0x01, 0x06, 0x78, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0x53,
      // sibling glue: a.gtld-servers.net. A (owner -> offset 64)
      0xc0, 64, 0, 1, 0, 1, 0x00, 0x02, 0xa3, 0x00, 0, 4, 192, 5, 6, 30};
  EXPECT_EQ(r.bytes, expected);
  EXPECT_EQ(r.info.rcode, 0);
  EXPECT_FALSE(r.info.truncated);
}

TEST_F(EngineTest, SameReferralForTheTldItselfNeedsNoPointerShift) {
  const auto r = AskTiny("DE.", dns::kTypeNs);
  ASSERT_GT(r.bytes.size(), 22u);
  EXPECT_EQ(r.bytes[20], 0xc0);  // first authority owner, after "\2DE\0" and QTYPE, QCLASS
  EXPECT_EQ(r.bytes[21], 12);    // -> the whole QNAME
  const auto d = Decode(r.bytes);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.authority, (std::vector<std::string>{"de. ns", "de. ns"}));
  EXPECT_FALSE(d.aa);
}

TEST_F(EngineTest, SiblingGlueIsDroppedWithoutTcButInDomainGlueIsRequired) {
  // RFC 9471: a referral whose required glue does not fit is truncated.
  auto big = AskTiny("www.big.", dns::kTypeA);
  EXPECT_TRUE(big.info.truncated);
  auto d = Decode(big.bytes);
  EXPECT_TRUE(d.tc);
  EXPECT_EQ(d.ns + d.an + d.ar, 0);
  // Over TCP the same referral comes whole.
  big = AskTiny("www.big.", dns::kTypeA, {}, Transport::kTcp);
  d = Decode(big.bytes);
  EXPECT_FALSE(d.tc);
  EXPECT_EQ(d.ns, 13);
  EXPECT_EQ(d.ar, 26);
}

TEST_F(EngineTest, NxDomainAndNoDataAreAuthoritativeWithNegativeSoa) {
  auto d = Decode(AskTiny("nonexistent.", dns::kTypeA).bytes);
  EXPECT_EQ(d.rcode, 3);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.authority, std::vector<std::string>{". soa"});
  d = Decode(AskTiny("a.b.nonexistent.", dns::kTypeAaaa).bytes);
  EXPECT_EQ(d.rcode, 3);
  d = Decode(AskTiny("de.", dns::kTypeDs).bytes);  // de has no DS: NODATA from the root
  EXPECT_EQ(d.rcode, 0);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.an, 0);
  EXPECT_EQ(d.authority, std::vector<std::string>{". soa"});
  d = Decode(AskTiny(".", dns::kTypeMx).bytes);  // apex NODATA
  EXPECT_EQ(d.rcode, 0);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.authority, std::vector<std::string>{". soa"});
  d = Decode(AskTiny("www.de.", dns::kTypeDs).bytes);  // DS below a delegation: referral
  EXPECT_FALSE(d.aa);
  EXPECT_EQ(d.ns, 2);
}

TEST_F(EngineTest, ApexNsCarriesRootServerAddresses) {
  const auto d = Decode(AskTiny(".", dns::kTypeNs).bytes);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.answer, std::vector<std::string>{". ns"});
  EXPECT_EQ(d.additional, std::vector<std::string>{"a.root-servers.net. a"});
}

TEST_F(EngineTest, HeaderFlagsFollowTheQuery) {
  QueryOptions o;
  o.rd = true;
  o.cd = true;
  auto q = MakeQuery(".", dns::kTypeSoa, o);
  q[2] |= 0x04;  // AA in a query means nothing
  q[3] |= 0x40 | 0x20 | 0x80;  // Z, AD, RA: not echoed
  const auto r = Ask(engine_, *image_, q);
  EXPECT_EQ(r.bytes[2], 0x80 | 0x04 | 0x01);  // QR AA RD
  EXPECT_EQ(r.bytes[3], 0x10);               // CD only
}

TEST_F(EngineTest, QuestionIsEchoedInTheClientsCase) {
  const auto q = MakeQuery("wWw.ExAmPlE.cOm.", dns::kTypeA);
  const auto r = Ask(engine_, *image_, q);
  ASSERT_GE(r.bytes.size(), q.size());
  EXPECT_TRUE(std::equal(q.begin() + 12, q.end(), r.bytes.begin() + 12));
}

TEST_F(EngineTest, MalformedQueries) {
  const auto good = MakeQuery("example.com.", dns::kTypeA);
  struct Case {
    const char* what;
    std::vector<uint8_t> query;
    bool dropped;
    uint8_t rcode;
  };
  auto with = [&](auto mutate) {
    auto q = good;
    mutate(q);
    return q;
  };
  const std::vector<Case> cases = {
      {"short header", std::vector<uint8_t>(good.begin(), good.begin() + 11), true, 0},
      {"a response", with([](auto& q) { q[2] |= 0x80; }), true, 0},
      {"two questions", with([](auto& q) { q[5] = 2; }), false, 1},
      {"trailing garbage", with([](auto& q) { q.push_back(0); }), false, 1},
      {"question cut short", with([](auto& q) { q.resize(q.size() - 1); }), false, 1},
      {"pointer in QNAME", with([](auto& q) { q[12] = 0xc0; q[13] = 12; }), false, 1},
      {"label type 0x40", with([](auto& q) { q[12] = 0x41; }), false, 1},
      {"an answer record", with([](auto& q) { q[7] = 1; }), false, 1},
      {"opcode STATUS", with([](auto& q) { q[2] = 2 << 3; }), false, 4},
      {"opcode 15", with([](auto& q) { q[2] = 15 << 3; }), false, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const auto r = Ask(engine_, *image_, c.query);
    EXPECT_EQ(r.info.dropped, c.dropped);
    if (c.dropped) {
      EXPECT_TRUE(r.bytes.empty());
      continue;
    }
    const auto d = Decode(r.bytes);
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.rcode, c.rcode);
    EXPECT_EQ(r.bytes[0], 0x12);
    EXPECT_EQ(r.bytes[1], 0x34);
    EXPECT_EQ(d.an + d.ns + d.ar, 0);
  }
}

TEST_F(EngineTest, OverlongNameIsFormErr) {
  std::vector<uint8_t> q = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    q.push_back(63);
    q.insert(q.end(), 63, 'a');
  }
  q.push_back(0);
  q.insert(q.end(), {0, 1, 0, 1});
  const auto r = Ask(engine_, *image_, q);
  EXPECT_EQ(Decode(r.bytes).rcode, 1);
}

TEST_F(EngineTest, EdnsVersionPayloadAndOptions) {
  QueryOptions o;
  o.edns = true;
  o.dnssec_ok = true;
  o.udp_payload = 100;  // below 512: treated as 512
  o.options = {{100, "xyz"}, {3, ""}};  // an unknown option and NSID
  auto r = AskTiny(".", dns::kTypeSoa, o);
  auto d = Decode(r.bytes);
  EXPECT_TRUE(d.opt);
  EXPECT_TRUE(d.opt_do);
  EXPECT_EQ(d.opt_payload, 1232);
  // No NSID configured, unknown option not echoed: an empty OPT.
  // header, question ". SOA IN", the SOA (1 + 10 + 64 octets), an option-less OPT
  EXPECT_EQ(r.bytes.size(), 12 + 5 + 75 + 11u);

  Engine with_nsid(EngineConfig{.nsid = "rootd-1"});
  r = Ask(with_nsid, *image_, MakeQuery(".", dns::kTypeSoa, o));
  const std::vector<uint8_t> nsid_option = {0, 3, 0, 7, 'r', 'o', 'o', 't', 'd', '-', '1'};
  EXPECT_TRUE(std::equal(nsid_option.begin(), nsid_option.end(), r.bytes.end() - nsid_option.size()));

  auto q = MakeQuery(".", dns::kTypeSoa, QueryOptions{.edns = true});
  q[q.size() - 5] = 1;  // EDNS version 1
  r = Ask(engine_, *image_, q);
  d = Decode(r.bytes);
  EXPECT_EQ(r.info.rcode, 16);  // BADVERS
  EXPECT_EQ(d.opt_extended_rcode, 1);
  EXPECT_EQ(d.an, 0);
  EXPECT_EQ(r.bytes[4 + 1], 1) << "question echoed";
}

TEST_F(EngineTest, LongNsidIsLeftOutWhereItWouldOverflowTheLimit) {
  // From fuzz/engine_fuzzer: a 255-octet NSID behind a 253-octet QNAME made a 539-octet
  // REFUSED, past the 512-octet UDP limit and past the end of a 512-octet output buffer.
  Engine engine(EngineConfig{.nsid = std::string(255, 'n')});
  const QueryOptions o{.edns = true, .udp_payload = 512, .options = {{3, ""}}};
  std::string name;
  for (int i = 0; i < 4; ++i) name += std::string(62, 'a') + ".";
  auto r = Ask(engine, *image_, MakeQuery(name, dns::kTypeAxfr, o));
  EXPECT_EQ(r.info.rcode, 5);
  EXPECT_TRUE(Decode(r.bytes).opt);
  EXPECT_EQ(r.bytes.size(), 12 + 253 + 4 + 11u) << "an OPT record without the NSID option";
  // Behind a short question the same NSID fits, and is sent.
  r = Ask(engine, *image_, MakeQuery(".", dns::kTypeAxfr, o));
  EXPECT_EQ(r.bytes.size(), 12 + 1 + 4 + 11 + 4 + 255u);
}

TEST_F(EngineTest, TwoOptRecordsAreFormErr) {
  auto q = MakeQuery(".", dns::kTypeSoa, QueryOptions{.edns = true});
  const std::vector<uint8_t> opt(q.end() - 11, q.end());
  q.insert(q.end(), opt.begin(), opt.end());
  q[11] = 2;
  EXPECT_EQ(Decode(Ask(engine_, *image_, q).bytes).rcode, 1);
}

TEST_F(EngineTest, CookiesComeBackWithAServerCookie) {
  Engine engine(EngineConfig{.cookie_secret = std::string(16, 'k')});
  const std::string client = "\x01\x02\x03\x04\x05\x06\x07\x08";
  auto r = Ask(engine, *image_, MakeQuery(".", dns::kTypeSoa, QueryOptions{.edns = true, .options = {{10, client}}}));
  // The response ends with the COOKIE option: code 10, length 24, the client cookie, version 1.
  ASSERT_GT(r.bytes.size(), 28u);
  const uint8_t* option = r.bytes.data() + r.bytes.size() - 28;
  EXPECT_EQ(option[1], 10);
  EXPECT_EQ(option[3], 24);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(option + 4), 8), client);
  EXPECT_EQ(option[12], 1);
  // A malformed cookie (5 octets) is FORMERR.
  r = Ask(engine, *image_, MakeQuery(".", dns::kTypeSoa, QueryOptions{.edns = true, .options = {{10, "12345"}}}));
  EXPECT_EQ(r.info.rcode, 1);
}

TEST_F(EngineTest, ChaosIdentity) {
  Engine engine(EngineConfig{.identity = "lab-1", .version = "rootd"});
  auto d = Decode(Ask(engine, *image_, MakeQuery("VERSION.bind.", dns::kTypeTxt, QueryOptions{.qclass = 3})).bytes);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_EQ(d.answer, std::vector<std::string>{"version.bind. txt"});
  d = Decode(Ask(engine, *image_, MakeQuery("id.server.", dns::kTypeTxt, QueryOptions{.qclass = 3})).bytes);
  EXPECT_EQ(d.an, 1);
  d = Decode(Ask(engine, *image_, MakeQuery("other.bind.", dns::kTypeTxt, QueryOptions{.qclass = 3})).bytes);
  EXPECT_EQ(d.rcode, 5);
  d = Decode(AskTiny("version.bind.", dns::kTypeTxt, QueryOptions{.qclass = 3}).bytes);  // not configured
  EXPECT_EQ(d.rcode, 5);
  d = Decode(AskTiny(".", dns::kTypeSoa, QueryOptions{.qclass = 4}).bytes);  // Hesiod
  EXPECT_EQ(d.rcode, 5);
}

TEST_F(EngineTest, TrustAnchorSignalQueries) {
  struct Case {
    const char* name;
    uint16_t qtype;
    std::vector<uint16_t> tags;
  };
  const std::vector<Case> cases = {
      {"_ta-4a5c-4f66.", dns::kTypeNull, {19036, 20326}},
      {"_TA-4F66.", dns::kTypeNull, {20326}},
      {"_ta-4f66-9728.", dns::kTypeNull, {20326, 38696}},
      {"_ta-4f66-4a5c.", dns::kTypeNull, {}},  // not ascending
      {"_ta-4a5.", dns::kTypeNull, {}},        // three digits
      {"_ta-4a5g.", dns::kTypeNull, {}},       // not hex
      {"_ta-4a5c.", dns::kTypeA, {0x4a5c}},    // as Unbound's QNAME minimisation sends it
      {"_ta-4a5c-.", dns::kTypeNull, {}},
      {"x._ta-4a5c.", dns::kTypeNull, {}},     // not at the root
      {"_ta-0001-0002-0003-0004-0005-0006-0007-0008-0009-000a-000b-000c.", dns::kTypeNull,
       {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},  // the most tags a 63-octet label holds
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = AskTiny(c.name, c.qtype);
    EXPECT_EQ(r.info.rcode, 3);  // answered like any other nonexistent TLD
    EXPECT_EQ(std::vector<uint16_t>(r.info.ta_query_tags, r.info.ta_query_tags + r.info.ta_query_tag_count), c.tags);
  }
}

TEST_F(EngineTest, EdnsKeyTagOption) {
  const auto r = AskTiny(".", dns::kTypeDnskey, QueryOptions{.edns = true, .options = {{14, std::string("\x4f\x66\x97\x28", 4)}}});
  EXPECT_EQ(std::vector<uint16_t>(r.info.edns_key_tags, r.info.edns_key_tags + r.info.edns_key_tag_count),
            (std::vector<uint16_t>{20326, 38696}));
  EXPECT_EQ(AskTiny(".", dns::kTypeDnskey, QueryOptions{.edns = true, .options = {{14, "\x4f"}}}).info.rcode, 1);
}

TEST_F(EngineTest, TransfersAndMetaTypes) {
  EXPECT_EQ(AskTiny(".", dns::kTypeAxfr).info.rcode, 5);
  EXPECT_EQ(AskTiny(".", dns::kTypeIxfr).info.rcode, 5);
  EXPECT_EQ(AskTiny(".", dns::kTypeOpt).info.rcode, 1);
}

TEST_F(EngineTest, AnyOverUdpIsOneRRsetAndAllOverTcp) {
  auto d = Decode(AskTiny(".", dns::kTypeAny).bytes);
  EXPECT_EQ(d.answer, std::vector<std::string>{". soa"});
  d = Decode(AskTiny(".", dns::kTypeAny, {}, Transport::kTcp).bytes);
  EXPECT_EQ(d.answer, (std::vector<std::string>{". ns", ". soa"}));
}

// The real root zone of 2017-08-21, publication phase of the KSK roll: DNSKEY holds KSK-2010,
// KSK-2017 and the ZSK, signed by KSK-2010.
class RealRootTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { image_ = testing::CompileFile(rootd::testing::SharedDataDir() + "/zones/root.zone"); }
  static void TearDownTestSuite() { image_.reset(); }
  static std::shared_ptr<const zone::ZoneImage> image_;
  Engine engine_{EngineConfig{}};
};
std::shared_ptr<const zone::ZoneImage> RealRootTest::image_;

TEST_F(RealRootTest, DnskeyTruncatesBelowItsSize) {
  ASSERT_NE(image_, nullptr);
  for (uint16_t payload : {512, 1232, 1452, 4096}) {
    SCOPED_TRACE(payload);
    const auto r = Ask(engine_, *image_, MakeQuery(".", dns::kTypeDnskey, {.edns = true, .udp_payload = payload, .dnssec_ok = true}));
    const auto d = Decode(r.bytes);
    const bool fits = payload >= 1139;
    EXPECT_EQ(d.tc, !fits);
    EXPECT_EQ(d.an, fits ? 4 : 0);
    EXPECT_LE(r.bytes.size(), payload);
    if (fits) {
      EXPECT_EQ(r.bytes.size(), 1139u);
    }
  }
  const auto tcp = Ask(engine_, *image_, MakeQuery(".", dns::kTypeDnskey, {.edns = true, .udp_payload = 512, .dnssec_ok = true}), Transport::kTcp);
  EXPECT_EQ(tcp.bytes.size(), 1139u);
}

TEST_F(RealRootTest, SignedNxDomainHasCoveringAndWildcardNsec) {
  ASSERT_NE(image_, nullptr);
  const auto d = Decode(Ask(engine_, *image_, MakeQuery("nonexistent-tld.", dns::kTypeA, {.edns = true, .udp_payload = 4096, .dnssec_ok = true})).bytes);
  EXPECT_EQ(d.rcode, 3);
  ASSERT_EQ(d.authority.size(), 6u);
  EXPECT_EQ(d.authority[0], ". soa");
  EXPECT_EQ(d.authority[1], ". rrsig");
  EXPECT_NE(d.authority[2], ". nsec");  // the NSEC covering the name...
  EXPECT_TRUE(d.authority[2].ends_with(". nsec"));
  EXPECT_EQ(d.authority[4], ". nsec");  // ...and the apex NSEC covering "*."
  EXPECT_EQ(d.authority[5], ". rrsig");
}

TEST_F(RealRootTest, SignedReferralCarriesDs) {
  ASSERT_NE(image_, nullptr);
  const auto d = Decode(Ask(engine_, *image_, MakeQuery("www.example.com.", dns::kTypeA, {.edns = true, .udp_payload = 4096, .dnssec_ok = true})).bytes);
  EXPECT_FALSE(d.aa);
  ASSERT_EQ(d.ns, 13 + 1 + 1);
  EXPECT_EQ(d.authority[13], "com. ds");
  EXPECT_EQ(d.authority[14], "com. rrsig");
}

}  // namespace
}  // namespace rootd::server

namespace rootd::server {
namespace {

// A query for ". SOA" signed with TSIG key "key." (hmac-sha256) and a 4-octet MAC.
std::vector<uint8_t> TsigQuery(bool with_trailing_opt) {
  std::vector<uint8_t> q = MakeQuery(".", dns::kTypeSoa);
  q[11] = with_trailing_opt ? 2 : 1;
  const std::vector<uint8_t> tsig = {
      3, 'k', 'e', 'y', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 13 + 10 + 4 + 6,  // owner, TSIG, ANY, TTL 0, RDLENGTH
      4, 'h', 'm', 'a', 'c', 6, 's', 'h', 'a', '2', '5', '6', 0,            // algorithm
      0, 0, 0x65, 0x43, 0x21, 0x00, 0x01, 0x2c,                            // time signed, fudge 300
      0, 4, 0xde, 0xad, 0xbe, 0xef,                                        // MAC
      0x12, 0x34, 0, 0, 0, 0};                                             // original ID, error, other
  q.insert(q.end(), tsig.begin(), tsig.end());
  if (with_trailing_opt) q.insert(q.end(), {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0});
  return q;
}

TEST_F(EngineTest, TsigWithAnUnknownKeyIsNotAuthBadKey) {
  const auto r = Ask(engine_, *image_, TsigQuery(false));
  const std::vector<uint8_t> expected_tail = {
      0, 1, 0, 0, 0, 0, 0, 1,  // QD 1, AN 0, NS 0, AR 1
      0, 0, 6, 0, 1,           // question ". SOA IN"
      3, 'k', 'e', 'y', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 13 + 8 + 2 + 6,
      4, 'h', 'm', 'a', 'c', 6, 's', 'h', 'a', '2', '5', '6', 0,
      0, 0, 0x65, 0x43, 0x21, 0x00, 0x01, 0x2c,
      0, 0,          // no MAC: the error response is unsigned
      0x12, 0x34,    // original ID
      0, 17, 0, 0};  // BADKEY, no other data
  ASSERT_EQ(r.bytes.size(), 4 + expected_tail.size());
  EXPECT_EQ(r.bytes[3] & 0x0f, 9);  // NOTAUTH
  EXPECT_TRUE(std::equal(expected_tail.begin(), expected_tail.end(), r.bytes.begin() + 4));
  // RFC 8945 5.1: a TSIG that is not the last record is FORMERR.
  EXPECT_EQ(Ask(engine_, *image_, TsigQuery(true)).info.rcode, 1);
}


TEST_F(EngineTest, SiblingGlueIsDroppedWholeRRsetsWithoutTc) {
  // sib.'s only name server, ns.other., lies under another delegation: its addresses are
  // sibling glue, optional (RFC 9471), so a referral that cannot hold them all drops them with
  // TC=0. What it may not do is keep part of the RRset (RFC 2181 9): all 40 A records or none.
  constexpr int kAddresses = 40;  // 40 * 16 octets of A records alone exceed 512
  std::string zone =
      "$TTL 86400\n"
      ". IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112300 1800 900 604800 86400\n"
      "sib. 172800 IN NS ns.other.\n"
      "other. 172800 IN NS ns.other.\n";
  for (int i = 1; i <= kAddresses; ++i) zone += "ns.other. 172800 IN A 192.0.2." + std::to_string(i) + "\n";
  const auto image = testing::CompileText(zone);
  ASSERT_NE(image, nullptr);
  const std::vector<std::string> all_glue(kAddresses, "ns.other. a");

  // Over TCP the whole referral comes back, and it is larger than 512 octets.
  const auto tcp = Ask(engine_, *image, MakeQuery("www.sib.", dns::kTypeA), Transport::kTcp);
  auto d = Decode(tcp.bytes);
  ASSERT_TRUE(d.ok);
  EXPECT_FALSE(d.tc);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_EQ(d.authority, std::vector<std::string>{"sib. ns"});
  EXPECT_EQ(d.additional, all_glue);
  ASSERT_GT(tcp.bytes.size(), 512u);

  // Over UDP without EDNS: the referral with TC=0 and, since all 40 cannot fit, none of them.
  const auto udp = Ask(engine_, *image, MakeQuery("www.sib.", dns::kTypeA));
  EXPECT_LE(udp.bytes.size(), 512u);
  EXPECT_FALSE(udp.info.truncated);
  d = Decode(udp.bytes);
  ASSERT_TRUE(d.ok);
  EXPECT_FALSE(d.tc);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_FALSE(d.aa);
  EXPECT_EQ(d.an, 0);
  EXPECT_EQ(d.authority, std::vector<std::string>{"sib. ns"});
  EXPECT_TRUE(d.additional.empty() || d.additional == all_glue)
      << d.ar << " of " << kAddresses << " sibling glue A records: a partial RRset";
  EXPECT_EQ(d.ar, 0) << "the whole RRset cannot fit in 512 octets, so none of it may be kept";
}

}  // namespace
}  // namespace rootd::server
