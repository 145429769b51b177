#include "zone/lab_zone.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "tests/test_paths.h"
#include "tests/zone/ldns_reference.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

const std::string kRootName(1, '\0');
constexpr char kVerifyTime[] = "20261123000000";  // LabZoneOptions' default `now`

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
}

// Runs ldns-verify-zone on the lab zone with `anchor` (DS or DNSKEY lines) as trust anchor,
// requiring a valid ZONEMD.
testing::CommandResult VerifyWithLdns(const LabZone& lab, const std::string& name, const std::string& anchor) {
  const std::string dir = rootd::testing::MakeTempDir("lab_zone_" + name);
  WriteFile(dir + "/root.zone", lab.text);
  WriteFile(dir + "/anchor", anchor);
  return testing::RunCommand(std::string("ldns-verify-zone -Z -t ") + kVerifyTime + " -k '" + dir + "/anchor' '" + dir +
                             "/root.zone'");
}

std::string Wire(const std::string& text) { return NameFromText(text, kRootName).value(); }

class LabZoneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LabZoneOptions options;
    options.seed = 42;
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<LabZone> lab = GenerateLabZone(options);
    generation_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                         .count();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = new LabZone(*std::move(lab));
    absl::StatusOr<Zone> zone = Zone::FromRecords({"lab"}, lab_->records);
    ASSERT_TRUE(zone.ok()) << zone.status();
    zone_ = new Zone(*std::move(zone));
  }
  void SetUp() override { ASSERT_NE(lab_, nullptr) << "generation failed in SetUpTestSuite"; }
  static void TearDownTestSuite() {
    delete zone_;
    delete lab_;
  }

  static LabZone* lab_;
  static Zone* zone_;
  static long long generation_ms_;
};
LabZone* LabZoneTest::lab_ = nullptr;
Zone* LabZoneTest::zone_ = nullptr;
long long LabZoneTest::generation_ms_ = 0;

TEST_F(LabZoneTest, LdnsVerifyZoneAcceptsItWithDsOrDnskeyAnchor) {
  RecordProperty("generation_ms", static_cast<int>(generation_ms_));
  std::printf("lab zone: %zu records, %zu bytes, generated in %lld ms\n", lab_->records.size(), lab_->text.size(),
              generation_ms_);
  for (const auto& [name, anchor] : {std::pair{"ds", lab_->trust_anchor_ds}, std::pair{"dnskey", lab_->trust_anchor_dnskey}}) {
    SCOPED_TRACE(name);
    const testing::CommandResult r = VerifyWithLdns(*lab_, name, anchor);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Zone is verified and complete"), std::string::npos) << r.output;
  }
}

TEST_F(LabZoneTest, LdnsRejectsATamperedCopy) {
  // ldns really checks what we claim it checks: one changed DS digest byte fails both the
  // DS signature and the ZONEMD.
  std::string text = lab_->text;
  const size_t ds = text.find(" IN DS ");
  ASSERT_NE(ds, std::string::npos);
  const size_t eol = text.find('\n', ds);
  text[eol - 1] = text[eol - 1] == 'A' ? 'B' : 'A';
  LabZone copy;
  copy.text = text;
  const testing::CommandResult r = VerifyWithLdns(copy, "tampered", lab_->trust_anchor_ds);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Bogus DNSSEC signature"), std::string::npos) << r.output;
}

TEST_F(LabZoneTest, SameSeedGivesByteIdenticalText) {
  LabZoneOptions options;
  options.seed = 42;
  options.signing_threads = 1;  // thread count must not matter either
  absl::StatusOr<LabZone> again = GenerateLabZone(options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->text == lab_->text);
  EXPECT_EQ(again->trust_anchor_ds, lab_->trust_anchor_ds);
}

TEST_F(LabZoneTest, DifferentSeedGivesDifferentKeysAndLabels) {
  LabZoneOptions options;
  options.seed = 43;
  options.tld_count = 20;
  absl::StatusOr<LabZone> other = GenerateLabZone(options);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->ksks[0].dnskey_rdata(), lab_->ksks[0].dnskey_rdata());
  EXPECT_NE(other->zsks[0].dnskey_rdata(), lab_->zsks[0].dnskey_rdata());
  EXPECT_NE(LabTldLabels(43, 1500), lab_->tlds);
  EXPECT_NE(LabTldLabels(43, 100), LabTldLabels(42, 100));
  EXPECT_EQ(LabTldLabels(42, 1500), lab_->tlds);
}

TEST_F(LabZoneTest, ApexLooksLikeTheRootZone) {
  EXPECT_EQ(lab_->serial, 2026112300u);
  EXPECT_EQ(lab_->text.substr(lab_->text.find('\n') + 1, 92),
            ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112300 1800 900 604800 86400\n");
  const Node* apex = zone_->apex();
  ASSERT_NE(apex, nullptr);
  const RRset* ns = apex->Find(dns::kTypeNs);
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->records.size(), 13u);
  EXPECT_EQ(ns->ttl, 518400u);
  for (const Record* r : ns->records) {
    const Node* server = zone_->FindNode(LowerName(r->rdata));
    ASSERT_NE(server, nullptr) << NameToText(r->rdata);
    EXPECT_NE(server->Find(dns::kTypeA), nullptr);
    EXPECT_NE(server->Find(dns::kTypeAaaa), nullptr);
  }
  const Node* net = zone_->FindNode(Wire("net."));
  ASSERT_NE(net, nullptr);
  EXPECT_NE(net->Find(dns::kTypeNs), nullptr);
  const RRset* dnskey = apex->Find(dns::kTypeDnskey);
  ASSERT_NE(dnskey, nullptr);
  EXPECT_EQ(dnskey->ttl, 172800u);
  EXPECT_EQ(dnskey->records.size(), 2u);
  ASSERT_EQ(dnskey->signatures.size(), 1u);
  EXPECT_EQ(ParseRrsig(dnskey->signatures[0]->rdata)->key_tag, lab_->ksks[0].key_tag());
  const RRset* zonemd = apex->Find(dns::kTypeZonemd);
  ASSERT_NE(zonemd, nullptr);
  ASSERT_EQ(zonemd->records.size(), 1u);
  EXPECT_EQ(zonemd->records[0]->rdata.size(), 6u + 48);
  EXPECT_EQ(zonemd->records[0]->rdata.substr(6), ZonemdDigest(*zone_, dns::kZonemdSha384).value());
  for (uint16_t type : {dns::kTypeSoa, dns::kTypeNs, dns::kTypeNsec, dns::kTypeZonemd}) {
    const RRset* set = apex->Find(type);
    ASSERT_NE(set, nullptr);
    ASSERT_EQ(set->signatures.size(), 1u) << TypeToText(type);
    EXPECT_EQ(ParseRrsig(set->signatures[0]->rdata)->key_tag, lab_->zsks[0].key_tag());
  }
}

TEST_F(LabZoneTest, DelegationsHaveRealisticShape) {
  std::set<std::string> tlds(lab_->tlds.begin(), lab_->tlds.end());
  EXPECT_EQ(tlds.size(), 1500u);
  for (const char* expected : {"com", "net", "org", "de", "uk", "jp", "app", "google", "xn--p1ai"}) {
    EXPECT_TRUE(tlds.contains(expected)) << expected;
  }
  int delegations = 0, signed_tlds = 0, in_domain_servers = 0, with_aaaa = 0, generated_idn = 0;
  std::map<size_t, int> ns_counts;
  for (const Node& node : zone_->nodes()) {
    const RRset* ns = node.Find(dns::kTypeNs);
    if (ns == nullptr || &node == zone_->apex()) continue;
    ++delegations;
    ASSERT_EQ(LabelCount(node.name), 1) << NameToText(node.name);
    EXPECT_EQ(ns->ttl, 172800u);
    EXPECT_GE(ns->records.size(), 2u) << NameToText(node.name);
    EXPECT_LE(ns->records.size(), 13u) << NameToText(node.name);
    ++ns_counts[ns->records.size()];
    EXPECT_TRUE(ns->signatures.empty()) << "delegation NS must not be signed: " << NameToText(node.name);
    const std::string label = NameToText(node.name);
    if (label.starts_with("xn--") && !label.starts_with("xn--p1ai")) ++generated_idn;
    for (const Record* r : ns->records) {
      const std::string server = LowerName(r->rdata);
      const std::string server_tld = NameToText(NameSuffix(server, 1));  // "net."
      const bool under_zone_tld = tlds.contains(server_tld.substr(0, server_tld.size() - 1));
      const Node* glue = zone_->FindNode(server);
      if (!under_zone_tld) {
        EXPECT_EQ(glue, nullptr) << "glue for a name outside the zone's TLDs: " << NameToText(server);
        continue;
      }
      ASSERT_NE(glue, nullptr) << "missing glue for " << NameToText(server);
      const RRset* a = glue->Find(dns::kTypeA);
      ASSERT_NE(a, nullptr) << NameToText(server);
      EXPECT_TRUE(a->signatures.empty());
      if (IsSubdomainOf(server, node.name)) {
        ++in_domain_servers;
        if (glue->Find(dns::kTypeAaaa) != nullptr) ++with_aaaa;
      }
    }
    const RRset* ds = node.Find(dns::kTypeDs);
    if (ds != nullptr) {
      ++signed_tlds;
      EXPECT_EQ(ds->ttl, 86400u);
      EXPECT_GE(ds->records.size(), 1u);
      EXPECT_LE(ds->records.size(), 2u);
      for (const Record* r : ds->records) {
        EXPECT_EQ(r->rdata.size(), 4u + 32);
        EXPECT_EQ(r->rdata[3], dns::kDigestSha256);
      }
      EXPECT_EQ(ds->signatures.size(), 1u);
    }
    const RRset* nsec = node.Find(dns::kTypeNsec);
    ASSERT_NE(nsec, nullptr);
    EXPECT_EQ(nsec->ttl, 86400u);
    EXPECT_EQ(nsec->signatures.size(), 1u);
  }
  EXPECT_EQ(delegations, 1500);
  EXPECT_GE(signed_tlds, 1500 * 85 / 100);
  EXPECT_LE(signed_tlds, 1500 * 95 / 100);
  EXPECT_GT(in_domain_servers, 1500);
  EXPECT_GT(with_aaaa, in_domain_servers * 3 / 4);
  EXPECT_GT(generated_idn, 61 + 20);  // beyond the built-in IDNs
  EXPECT_GT(ns_counts[13], 1);        // com and net at least
  EXPECT_GT(ns_counts[2], 10);
}

TEST(LabZone, RolloverWithTwoKsksAndARevokedKeyVerifies) {
  LabZoneOptions options;
  options.seed = 7;
  options.tld_count = 30;
  LabKeySpec revoked;
  revoked.revoked = true;
  options.ksk_specs = {LabKeySpec{}, LabKeySpec{}, revoked};
  absl::StatusOr<LabZone> lab = GenerateLabZone(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  ASSERT_EQ(lab->ksks.size(), 3u);
  EXPECT_TRUE(lab->ksks[2].is_revoked());
  EXPECT_EQ(lab->ksks[2].flags(), 385);
  // The trust anchor lists the two live KSKs only.
  EXPECT_EQ(std::count(lab->trust_anchor_ds.begin(), lab->trust_anchor_ds.end(), '\n'), 2);
  Zone zone = Zone::FromRecords({"lab"}, lab->records).value();
  const RRset* dnskey = zone.apex()->Find(dns::kTypeDnskey);
  ASSERT_NE(dnskey, nullptr);
  EXPECT_EQ(dnskey->records.size(), 4u);
  std::set<uint16_t> signers;
  for (const Record* s : dnskey->signatures) signers.insert(ParseRrsig(s->rdata)->key_tag);
  EXPECT_EQ(signers, (std::set<uint16_t>{lab->ksks[0].key_tag(), lab->ksks[1].key_tag(), lab->ksks[2].key_tag()}));
  const testing::CommandResult r = VerifyWithLdns(*lab, "rollover", lab->trust_anchor_ds);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(LabZone, EcdsaKeysVerify) {
  LabZoneOptions options;
  options.seed = 9;
  options.tld_count = 30;
  options.ksk_specs = {LabKeySpec{dns::kAlgEcdsaP256}};
  options.zsk_specs = {LabKeySpec{dns::kAlgEcdsaP256}};
  absl::StatusOr<LabZone> lab = GenerateLabZone(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  EXPECT_EQ(lab->ksks[0].algorithm(), dns::kAlgEcdsaP256);
  const testing::CommandResult r = VerifyWithLdns(*lab, "ecdsa", lab->trust_anchor_dnskey);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(LabZone, KeptKeysAreUsedAndOptionsAreChecked) {
  LabZoneOptions options;
  options.tld_count = 5;
  absl::StatusOr<LabZone> first = GenerateLabZone(options);
  ASSERT_TRUE(first.ok()) << first.status();
  LabZoneOptions kept;
  kept.tld_count = 5;
  kept.seed = 99;  // a different seed changes content but not the kept keys
  kept.ksks = {SigningKey::FromPem(first->ksks[0].ToPem().value(), kKskFlags).value()};
  kept.zsks = {SigningKey::FromPem(first->zsks[0].ToPem().value(), kZskFlags).value()};
  absl::StatusOr<LabZone> second = GenerateLabZone(kept);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->trust_anchor_ds, first->trust_anchor_ds);
  EXPECT_EQ(second->tlds.size(), 5u);
  EXPECT_TRUE(std::find(second->tlds.begin(), second->tlds.end(), "net") != second->tlds.end());
  EXPECT_EQ(VerifyWithLdns(*second, "kept", second->trust_anchor_ds).exit_code, 0);

  LabZoneOptions bad;
  bad.tld_count = 0;
  EXPECT_FALSE(GenerateLabZone(bad).ok());
  bad.tld_count = 5;
  bad.ksk_specs = {LabKeySpec{dns::kAlgRsaSha512}};
  EXPECT_FALSE(GenerateLabZone(bad).ok());
}

TEST(LabZone, ZonemdCanBeLeftOut) {
  LabZoneOptions options;
  options.tld_count = 5;
  options.zonemd = false;
  absl::StatusOr<LabZone> lab = GenerateLabZone(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  EXPECT_EQ(lab->text.find("ZONEMD"), std::string::npos);
}

TEST(Punycode, Rfc3492AndKnownTlds) {
  EXPECT_EQ(Punycode({0x4e2d, 0x56fd}), "fiqs8s");         // 中国
  EXPECT_EQ(Punycode({0x0440, 0x0444}), "p1ai");           // рф
  EXPECT_EQ(Punycode({0x0431, 0x0435, 0x043b}), "90ais");  // бел
  // RFC 3492 7.1 (B), Chinese (simplified).
  EXPECT_EQ(Punycode({0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587}), "ihqwcrb4cv8a8dqg056pqjye");
}

}  // namespace
}  // namespace rootd::zone
