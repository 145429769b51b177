#include "zone/lab_init.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <string>

#include "tests/run_command.h"
#include "tests/test_paths.h"
#include "zone/file_io.h"
#include "zone/lab_keystore.h"
#include "zone/master_reader.h"
#include "zone/name.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/trust_anchor.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {
namespace {

const std::string kRootName(1, '\0');

std::string Wire(const std::string& text) { return NameFromText(text, kRootName).value(); }

// A folder for a lab that does not exist yet, in a fresh one of this process.
std::string FreshDir(const std::string& name) { return testing::MakeTempDir("lab_init_" + name) + "/lab"; }

int Mode(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

// The records of `type` at `owner` (text) in `zone`.
std::vector<const Record*> At(const Zone& zone, const std::string& owner, uint16_t type) {
  const Node* node = zone.FindNode(Wire(owner));
  const RRset* set = node == nullptr ? nullptr : node->Find(type);
  return set == nullptr ? std::vector<const Record*>{} : set->records;
}

// DIR/root.zone, if it verifies now from DIR/root.ds.
absl::StatusOr<Zone> ReadVerifiedRootZone(const std::string& dir) {
  absl::StatusOr<Zone> zone = ReadMasterFile(LabRootZonePath(dir));
  if (!zone.ok()) return zone.status();
  absl::StatusOr<TrustAnchor> anchor = TrustAnchor::LoadFile(dir + "/root.ds");
  if (!anchor.ok()) return anchor.status();
  const VerifyReport verified = VerifyZone(*zone, &*anchor, absl::Now());
  if (!verified.ok()) return absl::InternalError(verified.ToString());
  return zone;
}

class LabInitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LabInitOptions options;
    options.dir = FreshDir("generated");
    options.tld_count = 20;
    absl::StatusOr<LabInitReport> report = InitLab(options);
    ASSERT_TRUE(report.ok()) << report.status();
    dir_ = new std::string(options.dir);
    report_ = new LabInitReport(*report);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete report_;
  }
  void SetUp() override { ASSERT_NE(dir_, nullptr) << "InitLab failed in SetUpTestSuite"; }

  static std::string* dir_;
  static LabInitReport* report_;
};
std::string* LabInitTest::dir_ = nullptr;
LabInitReport* LabInitTest::report_ = nullptr;

TEST_F(LabInitTest, KeysArePrivateAndListedWithTheirRoles) {
  EXPECT_EQ(Mode(*dir_ + "/keys"), 0700);
  absl::StatusOr<LabKeyStore> store = LabKeyStore::Open(*dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ(store->keys().size(), 3u);
  const LabStoredKey* ksk = store->Find("KSK-A");
  const LabStoredKey* zsk = store->Find("ZSK-1");
  const LabStoredKey* tld = store->Find("LAB-TLD");
  ASSERT_TRUE(ksk != nullptr && zsk != nullptr && tld != nullptr);
  EXPECT_TRUE(ksk->key.is_ksk());
  EXPECT_FALSE(zsk->key.is_ksk());
  EXPECT_EQ(ksk->key.key_tag(), report_->ksk_tag);
  EXPECT_EQ(zsk->key.key_tag(), report_->zsk_tag);
  EXPECT_EQ(ksk->file, "ksk-" + std::to_string(report_->ksk_tag) + ".pem");
  EXPECT_EQ(zsk->file, "zsk-" + std::to_string(report_->zsk_tag) + ".pem");
  for (const LabStoredKey& k : store->keys()) EXPECT_EQ(Mode(*dir_ + "/keys/" + k.file), 0600) << k.file;
  // Fresh random keys: another lab's differ.
  const std::string other = FreshDir("other");
  LabInitOptions options;
  options.dir = other;
  options.tld_count = 1;
  absl::StatusOr<LabInitReport> second = InitLab(options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(LabKeyStore::Open(other)->Find("KSK-A")->key.dnskey_rdata(), ksk->key.dnskey_rdata());
}

TEST_F(LabInitTest, RefusesAFolderThatHoldsALab) {
  LabInitOptions options;
  options.dir = *dir_;
  absl::StatusOr<LabInitReport> again = InitLab(options);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
}

TEST_F(LabInitTest, RootZoneVerifiesWithEveryAnchorForm) {
  absl::StatusOr<Zone> zone = ReadMasterFile(LabRootZonePath(*dir_));
  ASSERT_TRUE(zone.ok()) << zone.status();
  for (const char* anchor_file : {"root.ds", "anchors/unbound-root.key", "anchors/kresd-root.keys",
                                  "anchors/root-anchors.xml"}) {
    absl::StatusOr<TrustAnchor> anchor = TrustAnchor::LoadFile(*dir_ + "/" + anchor_file);
    ASSERT_TRUE(anchor.ok()) << anchor.status();
    const VerifyReport report = VerifyZone(*zone, &*anchor, absl::Now());
    EXPECT_TRUE(report.ok()) << anchor_file << "\n" << report.ToString();
    EXPECT_TRUE(report.dnskey_validated) << anchor_file;
    EXPECT_EQ(report.zonemd.ToString(), "verified (SHA-384)") << anchor_file;
  }
  // Valid from an hour ago for 30 days.
  const VerifyReport late = VerifyZone(*zone, nullptr, absl::Now() + absl::Hours(24 * 30) + absl::Minutes(5));
  EXPECT_FALSE(late.ok());
  const std::string bind = testing::ReadFileText(*dir_ + "/anchors/bind-trust-anchors.conf");
  EXPECT_EQ(bind.rfind("trust-anchors {\n  . initial-key 257 3 8 \"", 0), 0u) << bind;
  EXPECT_NE(bind.find("\";\n};\n"), std::string::npos) << bind;
}

TEST_F(LabInitTest, RootServersPointAtTheLabServerAndLabIsDelegated) {
  absl::StatusOr<Zone> zone = ReadMasterFile(LabRootZonePath(*dir_));
  ASSERT_TRUE(zone.ok()) << zone.status();
  for (char letter = 'a'; letter <= 'm'; ++letter) {
    const std::string name = std::string(1, letter) + ".root-servers.net.";
    const std::vector<const Record*> a = At(*zone, name, dns::kTypeA);
    ASSERT_EQ(a.size(), 1u) << name;
    EXPECT_EQ(a[0]->rdata, std::string("\x7f\x00\x35\x01", 4)) << name;  // 127.0.53.1
    EXPECT_TRUE(At(*zone, name, dns::kTypeAaaa).empty()) << name;
  }
  const std::vector<const Record*> ns = At(*zone, "lab.", dns::kTypeNs);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0]->rdata, Wire("ns.lab."));
  const std::vector<const Record*> glue = At(*zone, "ns.lab.", dns::kTypeA);
  ASSERT_EQ(glue.size(), 1u);
  EXPECT_EQ(glue[0]->rdata, std::string("\x7f\x00\x35\x0a", 4));  // 127.0.53.10
  const std::vector<const Record*> ds = At(*zone, "lab.", dns::kTypeDs);
  ASSERT_EQ(ds.size(), 1u);
  const absl::StatusOr<LabKeyStore> store = LabKeyStore::Open(*dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  const LabStoredKey* tld = store->Find("LAB-TLD");
  EXPECT_EQ(ds[0]->rdata, tld->key.DsRdata(Wire("lab."), dns::kDigestSha256).value());
  // 20 TLDs (lab may be one of them) plus lab.
  size_t delegations = 0;
  for (const Node& node : zone->nodes()) {
    if (LabelCount(node.name) == 1 && node.Find(dns::kTypeNs) != nullptr) ++delegations;
  }
  EXPECT_GE(delegations, 20u);
  EXPECT_LE(delegations, 21u);
}

TEST_F(LabInitTest, LabZoneVerifiesWithLdnsFromTheDelegatedKey) {
  // The anchor: the DNSKEY whose DS the root publishes for lab.
  const absl::StatusOr<LabKeyStore> store = LabKeyStore::Open(*dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  const LabStoredKey* tld = store->Find("LAB-TLD");
  const std::string anchor = *dir_ + "/lab.anchor";
  testing::WriteFileText(anchor, "lab. 3600 IN DNSKEY " + RdataToText(dns::kTypeDnskey, tld->key.dnskey_rdata()) + "\n");
  const testing::CommandResult result =
      testing::RunCommand("ldns-verify-zone -k '" + anchor + "' '" + *dir_ + "/lab.zone'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("Zone is verified and complete"), std::string::npos) << result.output;
  absl::StatusOr<Zone> lab = ReadMasterFile(*dir_ + "/lab.zone");
  ASSERT_TRUE(lab.ok()) << lab.status();
  ASSERT_EQ(At(*lab, "www.lab.", dns::kTypeA).size(), 1u);
  EXPECT_EQ(At(*lab, "www.lab.", dns::kTypeA)[0]->rdata, std::string("\xc0\x00\x02\x35", 4));
  EXPECT_EQ(At(*lab, "ns.lab.", dns::kTypeA)[0]->rdata, std::string("\x7f\x00\x35\x0a", 4));
}

TEST(LabInit, FromARealRootZoneWithEcdsaKeysAndOtherAddresses) {
  LabInitOptions options;
  options.dir = FreshDir("real");
  options.from_zone = testing::SharedDataDir() + "/zones/root.zone";
  options.algorithm = dns::kAlgEcdsaP256;
  options.server_address = "127.0.0.53";
  options.lab_tld_address = "127.0.0.54";
  absl::StatusOr<LabInitReport> report = InitLab(options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->serial, 2017082100u);
  absl::StatusOr<Zone> zone = ReadVerifiedRootZone(options.dir);
  ASSERT_TRUE(zone.ok()) << zone.status();
  // Only the lab's keys: KSK-2010, KSK-2017 and the 2017 ZSK are gone.
  const std::vector<const Record*> dnskeys = At(*zone, ".", dns::kTypeDnskey);
  ASSERT_EQ(dnskeys.size(), 2u);
  for (const Record* k : dnskeys) EXPECT_EQ(static_cast<uint8_t>(k->rdata[3]), dns::kAlgEcdsaP256);
  EXPECT_EQ(At(*zone, "a.root-servers.net.", dns::kTypeA)[0]->rdata, std::string("\x7f\x00\x00\x35", 4));
  EXPECT_TRUE(At(*zone, "a.root-servers.net.", dns::kTypeAaaa).empty());
  EXPECT_EQ(At(*zone, "ns.lab.", dns::kTypeA)[0]->rdata, std::string("\x7f\x00\x00\x36", 4));
  // The real delegations stay, with their DS: com. and its DS among them.
  EXPECT_EQ(At(*zone, "com.", dns::kTypeNs).size(), 13u);
  EXPECT_EQ(At(*zone, "com.", dns::kTypeDs).size(), 1u);
}

TEST(LabInit, Ed25519Keys) {
  LabInitOptions options;
  options.dir = FreshDir("ed25519") + "/nested/lab";  // parents made too
  options.tld_count = 5;
  options.algorithm = dns::kAlgEd25519;
  absl::StatusOr<LabInitReport> report = InitLab(options);
  ASSERT_TRUE(report.ok()) << report.status();
  absl::StatusOr<Zone> zone = ReadVerifiedRootZone(options.dir);
  ASSERT_TRUE(zone.ok()) << zone.status();
  EXPECT_EQ(LabKeyStore::Open(options.dir)->Find("KSK-A")->key.algorithm(), dns::kAlgEd25519);
}

TEST(LabInit, RefusesBadAddressesBeforeMakingKeys) {
  LabInitOptions options;
  options.dir = FreshDir("bad_address");
  options.server_address = "::1";
  EXPECT_FALSE(InitLab(options).ok());
  EXPECT_EQ(Mode(options.dir + "/keys"), -1);
}

}  // namespace
}  // namespace rootd::zone
