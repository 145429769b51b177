#include "tools/query_mix.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/test_paths.h"
#include "zone/master_reader.h"
#include "zone/name.h"

namespace rootd::tools {
namespace {

std::string RootZonePath() { return rootd::testing::SharedDataDir() + "/zones/root.zone"; }

const zone::Zone& RootZone() {
  static const zone::Zone* zone = [] {
    auto z = zone::ReadMasterFile(RootZonePath());
    return z.ok() ? new zone::Zone(*std::move(z)) : nullptr;
  }();
  if (zone == nullptr) std::abort();
  return *zone;
}

bool HaveRootZone() { return std::ifstream(RootZonePath()).good(); }

std::vector<MixQuery> Draw(const zone::Zone& zone, const QueryMixOptions& options, int count) {
  auto targets = QueryTargets::FromZone(zone);
  EXPECT_TRUE(targets.ok()) << targets.status();
  auto generator = QueryMixGenerator::Create(*std::move(targets), options);
  EXPECT_TRUE(generator.ok()) << generator.status();
  std::vector<MixQuery> out;
  for (int i = 0; i < count; ++i) out.push_back(generator->Next());
  return out;
}

// A small signed-looking zone: two delegations, one with DS, one KSK and one ZSK, and a
// delegated "home" junk TLD that must not be used for NXDOMAIN names.
constexpr char kSmallZone[] = R"(
. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
. 518400 IN NS a.root-servers.net.
. 172800 IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=
. 172800 IN DNSKEY 256 3 8 AwEAAbEbGCpGTDrz
com. 172800 IN NS a.gtld-servers.net.
com. 86400 IN DS 19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A
home. 172800 IN NS ns.home.
)";

zone::Zone SmallZone() { return *zone::ReadMasterText(kSmallZone, "small.zone"); }

TEST(QueryMix, SharesMatchGenQueriesOnTheRootZone) {
  if (!HaveRootZone()) GTEST_SKIP() << "no " << RootZonePath();
  const int n = 200000;
  std::map<QueryCategory, int> by_category;
  std::map<std::string, int> by_apex_type;
  for (const MixQuery& q : Draw(RootZone(), {}, n)) {
    ++by_category[q.category];
    if (q.category == QueryCategory::kApex) ++by_apex_type[q.type];
    EXPECT_TRUE(q.dnssec_ok);  // default DO share is 100%
  }
  const double total = 100.1;  // the default weights' sum
  auto share = [&](int count) { return 100.0 * count / n; };
  EXPECT_NEAR(share(by_category[QueryCategory::kNxdomain]), 100 * 50 / total, 0.5);
  EXPECT_NEAR(share(by_category[QueryCategory::kReferral]), 100 * 40 / total, 0.5);
  EXPECT_NEAR(share(by_category[QueryCategory::kApex]), 100 * 8.35 / total, 0.3);
  EXPECT_NEAR(share(by_category[QueryCategory::kDs]), 100 * 1.65 / total, 0.15);
  EXPECT_NEAR(share(by_category[QueryCategory::kTrustAnchorSignal]), 0.1, 0.05);
  // gen_queries.py: 5% . DNSKEY, about 1.7% each . NS and . SOA.
  EXPECT_NEAR(share(by_apex_type["DNSKEY"]), 5.0, 0.25);
  EXPECT_NEAR(share(by_apex_type["NS"]), 1.67, 0.15);
  EXPECT_NEAR(share(by_apex_type["SOA"]), 1.67, 0.15);
}

TEST(QueryMix, SharesFollowFlagsAndDoShare) {
  if (!HaveRootZone()) GTEST_SKIP() << "no " << RootZonePath();
  QueryMixOptions options;
  options.shares = {.nxdomain = 10, .referral = 0, .apex = 0, .ds = 70, .trust_anchor_signal = 20};
  options.do_share = 30;
  const int n = 50000;
  std::map<QueryCategory, int> by_category;
  int with_do = 0;
  for (const MixQuery& q : Draw(RootZone(), options, n)) {
    ++by_category[q.category];
    with_do += q.dnssec_ok;
  }
  EXPECT_EQ(by_category[QueryCategory::kReferral], 0);
  EXPECT_EQ(by_category[QueryCategory::kApex], 0);
  EXPECT_NEAR(100.0 * by_category[QueryCategory::kNxdomain] / n, 10, 1);
  EXPECT_NEAR(100.0 * by_category[QueryCategory::kDs] / n, 70, 1);
  EXPECT_NEAR(100.0 * by_category[QueryCategory::kTrustAnchorSignal] / n, 20, 1);
  EXPECT_NEAR(100.0 * with_do / n, 30, 1);
}

TEST(QueryMix, SameSeedSameQueriesOtherSeedOthers) {
  const zone::Zone zone = SmallZone();
  QueryMixOptions options;
  options.seed = 7;
  auto lines = [&](const QueryMixOptions& o) {
    std::string out;
    for (const MixQuery& q : Draw(zone, o, 2000)) out += FormatQueryLine(q, QueryFileFormat::kKxdpgun) + "\n";
    return out;
  };
  const std::string first = lines(options);
  EXPECT_EQ(first, lines(options));
  QueryMixOptions other = options;
  other.seed = 8;
  EXPECT_NE(first, lines(other));
  // The DO bits have their own stream: another DO share keeps the names.
  QueryMixOptions fewer_do = options;
  fewer_do.do_share = 50;
  auto names = [&](const QueryMixOptions& o) {
    std::vector<std::string> out;
    for (const MixQuery& q : Draw(zone, o, 500)) out.push_back(q.name + " " + q.type);
    return out;
  };
  EXPECT_EQ(names(options), names(fewer_do));
}

TEST(QueryMix, EveryLineIsNameAndType) {
  const zone::Zone zone = SmallZone();
  QueryMixOptions options;
  options.shares.trust_anchor_signal = 5;
  const std::set<std::string> types = {"A", "AAAA", "SOA", "PTR", "MX", "NS", "DNSKEY", "DS", "NULL"};
  for (const MixQuery& q : Draw(zone, options, 5000)) {
    const std::string line = FormatQueryLine(q, QueryFileFormat::kDnsperf);
    std::istringstream in(line);
    std::string name, type, extra;
    in >> name >> type;
    EXPECT_FALSE(in >> extra) << line;
    EXPECT_TRUE(zone::NameFromText(name, std::string(1, '\0')).ok()) << line;
    EXPECT_EQ(name.back(), '.') << line;
    EXPECT_TRUE(types.count(type)) << line;
    // The zone delegates home.: NXDOMAIN names must not land under it.
    if (q.category == QueryCategory::kNxdomain) {
      EXPECT_EQ(name.find(".home."), std::string::npos) << line;
      EXPECT_EQ(zone.FindNode(zone::LowerName(*zone::NameFromText(name, std::string(1, '\0')))), nullptr) << line;
    }
    if (q.category == QueryCategory::kReferral) {
      EXPECT_TRUE(name.ends_with(".com.") || name.ends_with(".home.")) << line;
    }
    if (q.category == QueryCategory::kDs) {
      EXPECT_EQ(line, "com. DS");
    }
  }
}

TEST(QueryMix, TrustAnchorLabelsAreHexAscendingKskTags) {
  if (!HaveRootZone()) GTEST_SKIP() << "no " << RootZonePath();
  auto targets = QueryTargets::FromZone(RootZone());
  ASSERT_TRUE(targets.ok());
  ASSERT_FALSE(targets->ksk_tags.empty());
  const std::set<uint16_t> ksks(targets->ksk_tags.begin(), targets->ksk_tags.end());
  QueryMixOptions options;
  options.shares = {.nxdomain = 0, .referral = 0, .apex = 0, .ds = 0, .trust_anchor_signal = 1};
  const std::regex form("_ta(-[0-9a-f]{4})+\\.");
  std::set<std::string> seen;
  for (const MixQuery& q : Draw(RootZone(), options, 300)) {
    EXPECT_EQ(q.type, "NULL");
    ASSERT_TRUE(std::regex_match(q.name, form)) << q.name;
    seen.insert(q.name);
    int previous = -1;
    for (size_t at = 3; at + 1 < q.name.size(); at += 5) {
      const int tag = std::stoi(q.name.substr(at + 1, 4), nullptr, 16);
      EXPECT_GT(tag, previous) << q.name;
      EXPECT_TRUE(ksks.count(static_cast<uint16_t>(tag))) << q.name;
      previous = tag;
    }
  }
  // Every non-empty subset of the KSKs shows up.
  EXPECT_EQ(seen.size(), (1u << ksks.size()) - 1);
}

TEST(QueryMix, SmallZoneTargetsAndDroppedShares) {
  const zone::Zone zone = SmallZone();
  auto targets = QueryTargets::FromZone(zone);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->apex, ".");
  EXPECT_EQ(targets->delegations, (std::vector<std::string>{"com.", "home."}));
  EXPECT_EQ(targets->ds_owners, std::vector<std::string>{"com."});
  EXPECT_EQ(targets->ksk_tags.size(), 1u);  // the ZSK (flags 256) is not a trust anchor
  EXPECT_EQ(std::count(targets->junk_labels.begin(), targets->junk_labels.end(), "home"), 0);

  auto unsigned_zone = zone::ReadMasterText(". 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.\n", "u.zone");
  ASSERT_TRUE(unsigned_zone.ok());
  auto unsigned_targets = QueryTargets::FromZone(*unsigned_zone);
  ASSERT_TRUE(unsigned_targets.ok());
  auto generator = QueryMixGenerator::Create(*std::move(unsigned_targets), {});
  ASSERT_TRUE(generator.ok());
  EXPECT_EQ(generator->notes().size(), 3u);  // referral, ds, ta
  for (int i = 0; i < 1000; ++i) {
    const MixQuery q = generator->Next();
    EXPECT_TRUE(q.category == QueryCategory::kNxdomain || q.category == QueryCategory::kApex);
  }

  auto no_soa = zone::ReadMasterText("com. 86400 IN NS a.\n", "n.zone");
  ASSERT_TRUE(no_soa.ok());
  EXPECT_FALSE(QueryTargets::FromZone(*no_soa).ok());
  QueryMixOptions negative;
  negative.shares.apex = -1;
  EXPECT_FALSE(QueryMixGenerator::Create(*QueryTargets::FromZone(zone), negative).ok());
}

TEST(QueryMix, KxdpgunLinesCarryTheDoFlag) {
  MixQuery q{.name = ".", .type = "DNSKEY", .dnssec_ok = true};
  EXPECT_EQ(FormatQueryLine(q, QueryFileFormat::kKxdpgun), ". DNSKEY D");
  EXPECT_EQ(FormatQueryLine(q, QueryFileFormat::kDnsperf), ". DNSKEY");
  q.dnssec_ok = false;
  EXPECT_EQ(FormatQueryLine(q, QueryFileFormat::kKxdpgun), ". DNSKEY E");
}

}  // namespace
}  // namespace rootd::tools
