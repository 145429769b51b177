#include "zone/signer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "tests/zone/ldns_reference.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/nsec_chain.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

using testing::LdnsRr;
using testing::LdnsRrList;
using testing::ParseRr;

const std::string kRootName(1, '\0');

std::string W(std::string_view text) { return NameFromText(text, kRootName).value(); }

Record MakeRecord(std::string owner, uint16_t type, uint32_t ttl, std::string rdata) {
  return Record{std::move(owner), type, dns::kClassIn, ttl, std::move(rdata)};
}

const absl::Time kNow = absl::FromUnixSeconds(1795000000);
const SignatureValidity kValidity = SignatureValidity::Between(kNow - absl::Hours(1), kNow + absl::Hours(24 * 14));

// ldns's verdict on `sig` over `rrset` with `key`, at kNow.
ldns_status LdnsVerify(const std::vector<Record>& rrset, const Record& sig, const SigningKey& key) {
  LdnsRrList set(ldns_rr_list_new());
  for (const Record& r : rrset) {
    LdnsRr rr = ParseRr(RecordToText(r));
    if (rr == nullptr) return LDNS_STATUS_ERR;
    ldns_rr_list_push_rr(set.get(), rr.release());
  }
  LdnsRrList sigs(ldns_rr_list_new());
  LdnsRr sig_rr = ParseRr(RecordToText(sig));
  LdnsRr key_rr = ParseRr(RecordToText(MakeRecord(std::string(NameSuffix(sig.owner, 0)), dns::kTypeDnskey, 172800,
                                                  key.dnskey_rdata())));
  if (sig_rr == nullptr || key_rr == nullptr) return LDNS_STATUS_ERR;
  LdnsRrList keys(ldns_rr_list_new());
  ldns_rr_list_push_rr(keys.get(), key_rr.release());
  return ldns_verify_rrsig_keylist_time(set.get(), sig_rr.get(), keys.get(), absl::ToUnixSeconds(kNow), nullptr);
}

SigningKey Key(uint8_t algorithm, uint16_t flags, std::string_view label) {
  return SigningKey::FromSeed(algorithm, flags, "signer-test", label).value();
}

TEST(SignRrset, LdnsVerifiesRsaAndEcdsaSignatures) {
  const std::vector<Record> ns = {MakeRecord(W("Example."), dns::kTypeNs, 172800, W("b.NIC.example.")),
                                  MakeRecord(W("Example."), dns::kTypeNs, 172800, W("a.nic.example."))};
  std::vector<std::string_view> rdatas;
  for (const Record& r : ns) rdatas.push_back(r.rdata);
  for (uint8_t algorithm : {dns::kAlgRsaSha256, dns::kAlgEcdsaP256}) {
    SCOPED_TRACE(int{algorithm});
    const SigningKey key = Key(algorithm, kZskFlags, "zsk");
    absl::StatusOr<Record> sig =
        SignRrset(key, RrsetToSign{ns[0].owner, dns::kTypeNs, dns::kClassIn, 172800, rdatas}, kValidity);
    ASSERT_TRUE(sig.ok()) << sig.status();
    absl::StatusOr<RrsigFields> f = ParseRrsig(sig->rdata);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->type_covered, dns::kTypeNs);
    EXPECT_EQ(f->algorithm, algorithm);
    EXPECT_EQ(f->labels, 1);
    EXPECT_EQ(f->original_ttl, 172800u);
    EXPECT_EQ(f->key_tag, key.key_tag());
    EXPECT_EQ(f->signer, kRootName);
    EXPECT_EQ(sig->ttl, 172800u);
    EXPECT_EQ(LdnsVerify(ns, *sig, key), LDNS_STATUS_OK);

    // Tampering with the RRset breaks the signature: ldns really checks.
    std::vector<Record> tampered = ns;
    tampered[0].rdata = W("c.nic.example.");
    EXPECT_NE(LdnsVerify(tampered, *sig, key), LDNS_STATUS_OK);
  }
}

TEST(SignRrset, WildcardLabelsAndOutOfZoneOwner) {
  const SigningKey key = Key(dns::kAlgRsaSha256, kZskFlags, "zsk");
  const std::string owner = W("*.lab.");
  const std::string a("\x0a\x00\x00\x01", 4);
  absl::StatusOr<Record> sig = SignRrset(key, RrsetToSign{owner, dns::kTypeA, dns::kClassIn, 3600, {a}}, kValidity);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(ParseRrsig(sig->rdata)->labels, 1);
  EXPECT_EQ(LdnsVerify({MakeRecord(owner, dns::kTypeA, 3600, a)}, *sig, key), LDNS_STATUS_OK);

  EXPECT_FALSE(SignRrset(key, RrsetToSign{W("com."), dns::kTypeA, dns::kClassIn, 3600, {a}}, kValidity, W("net.")).ok());
  EXPECT_FALSE(SignRrset(key, RrsetToSign{W("com."), dns::kTypeA, dns::kClassIn, 3600, {}}, kValidity).ok());
}

// A tiny zone: apex, a signed and an unsigned delegation, glue below one of them.
std::vector<Record> TinyZone(const SigningKey& ksk, const SigningKey& zsk) {
  std::string soa = W("a.root-servers.net.") + W("nstld.verisign-grs.com.");
  soa += std::string("\x78\xc2\xfb\x6c\x00\x00\x07\x08\x00\x00\x03\x84\x00\x09\x3a\x80\x00\x01\x51\x80", 20);
  std::string ds("\x12\x34\x08\x02", 4);
  ds += std::string(32, '\x5a');
  return {
      MakeRecord(kRootName, dns::kTypeSoa, 86400, soa),
      MakeRecord(kRootName, dns::kTypeNs, 518400, W("a.root-servers.net.")),
      MakeRecord(kRootName, dns::kTypeDnskey, 172800, ksk.dnskey_rdata()),
      MakeRecord(kRootName, dns::kTypeDnskey, 172800, zsk.dnskey_rdata()),
      MakeRecord(W("net."), dns::kTypeNs, 172800, W("a.gtld-servers.net.")),
      MakeRecord(W("a.gtld-servers.net."), dns::kTypeA, 172800, std::string("\xc0\x05\x06\x1e", 4)),
      MakeRecord(W("a.root-servers.net."), dns::kTypeA, 518400, std::string("\xc6\x29\x00\x04", 4)),
      MakeRecord(W("org."), dns::kTypeNs, 172800, W("a0.org.afilias-nst.info.")),
      MakeRecord(W("org."), dns::kTypeDs, 86400, ds),
  };
}

TEST(BuildNsecChain, SkipsGlueAndLimitsDelegationBitmaps) {
  const SigningKey ksk = Key(dns::kAlgRsaSha256, kKskFlags, "ksk"), zsk = Key(dns::kAlgRsaSha256, kZskFlags, "zsk");
  Zone zone = Zone::FromRecords({"tiny"}, TinyZone(ksk, zsk)).value();
  std::vector<std::string> lines;
  for (const Record& r : BuildNsecChain(zone, 86400)) lines.push_back(RecordToText(r));
  EXPECT_EQ(lines, (std::vector<std::string>{". 86400 IN NSEC net. NS SOA RRSIG NSEC DNSKEY",
                                             "net. 86400 IN NSEC org. NS RRSIG NSEC",
                                             "org. 86400 IN NSEC . NS DS RRSIG NSEC"}));
}

TEST(SignZone, SignsAuthoritativeRrsetsOnlyAndLdnsVerifiesTheZone) {
  const SigningKey ksk = Key(dns::kAlgRsaSha256, kKskFlags, "ksk"), zsk = Key(dns::kAlgEcdsaP256, kZskFlags, "zsk");
  std::vector<Record> records = TinyZone(ksk, zsk);
  {
    Zone zone = Zone::FromRecords({"tiny"}, records).value();
    for (Record& r : BuildNsecChain(zone, 86400)) records.push_back(std::move(r));
  }
  Zone zone = Zone::FromRecords({"tiny"}, records).value();
  ZoneSigningOptions options;
  options.validity = kValidity;
  options.dnskey_signers = {ksk};
  options.zone_signers = {zsk};
  options.threads = 3;
  absl::StatusOr<std::vector<Record>> sigs = SignZone(zone, options);
  ASSERT_TRUE(sigs.ok()) << sigs.status();
  std::vector<std::string> covered;
  for (const Record& s : *sigs) {
    const RrsigFields f = ParseRrsig(s.rdata).value();
    covered.push_back(NameToText(s.owner) + " " + TypeToText(f.type_covered) + " " +
                      std::to_string(f.key_tag == ksk.key_tag() ? 1 : 0));
  }
  // Glue (a.gtld-servers.net. and a.root-servers.net., both below the net. delegation) and
  // delegation NS RRsets stay unsigned.
  EXPECT_EQ(covered, (std::vector<std::string>{". NS 0", ". SOA 0", ". NSEC 0", ". DNSKEY 1", "net. NSEC 0",
                                               "org. DS 0", "org. NSEC 0"}));

  // The whole zone through ldns-verify-zone with the KSK as trust anchor.
  const std::string dir = ::testing::TempDir() + "/signer_tiny";
  ASSERT_EQ(testing::RunCommand("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").exit_code, 0);
  std::string text;
  for (const Record& r : records) text += RecordToText(r) + "\n";
  for (const Record& r : *sigs) text += RecordToText(r) + "\n";
  FILE* f = fopen((dir + "/zone").c_str(), "w");
  fputs(text.c_str(), f);
  fclose(f);
  f = fopen((dir + "/key").c_str(), "w");
  fputs((RecordToText(MakeRecord(kRootName, dns::kTypeDnskey, 172800, ksk.dnskey_rdata())) + "\n").c_str(), f);
  fclose(f);
  const testing::CommandResult r = testing::RunCommand("ldns-verify-zone -t " + RrsigTimeToText(kValidity.inception + 60) +
                                                       " -k '" + dir + "/key' '" + dir + "/zone'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Zone is verified and complete"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rootd::zone
