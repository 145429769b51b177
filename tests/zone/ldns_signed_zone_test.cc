// Cross-checks against an independent implementation: small zones signed by ldns-signzone
// (with ldns-keygen keys, every algorithm we support, ZONEMD SHA-384 and SHA-512) must
// verify, and ZONEMD must fail once one record changes, as ldns-verify-zone agrees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "zone/master_reader.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {
namespace {

using ::testing::HasSubstr;

const absl::Time kAt = absl::FromCivil(absl::CivilSecond(2025, 6, 1, 0, 0, 0), absl::UTCTimeZone());

constexpr char kLabZone[] =
    ".\t3600\tIN\tSOA\ta.root-servers.lab. admin.lab. 2024010100 1800 900 604800 86400\n"
    ".\t3600\tIN\tNS\ta.root-servers.lab.\n"
    "example.\t3600\tIN\tNS\tns1.example.\n"
    "example.\t3600\tIN\tDS\t12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
    "ns1.example.\t3600\tIN\tA\t192.0.2.1\n"
    "Lab.\t3600\tIN\tNS\ta.root-servers.lab.\n"
    "a.root-servers.lab.\t3600\tIN\tA\t192.0.2.53\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Replaces the first `from` in `text` by `to`; false if there is none.
bool ReplaceFirst(std::string& text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), to);
  return true;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A temporary folder with a lab zone signed by ldns-signzone.
class SignedLabZone {
 public:
  // `algorithm` as ldns-keygen names it; `zonemd` is ldns-signzone's -z argument or empty.
  SignedLabZone(const std::string& algorithm, const std::string& zonemd) {
    std::string tmpl = ::testing::TempDir() + "rootd_ldns_XXXXXX";
    dir_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    std::ofstream(dir_ + "/zone") << kLabZone;
    const std::string bits = algorithm.rfind("RSA", 0) == 0 ? " -b 2048" : "";
    ok_ = Run("ldns-keygen -a " + algorithm + bits + " -k . > ksk.name") &&
          Run("ldns-keygen -a " + algorithm + bits + " . > zsk.name");
    ksk_ = Trimmed(ReadFile(dir_ + "/ksk.name"));
    const std::string zsk = Trimmed(ReadFile(dir_ + "/zsk.name"));
    ok_ = ok_ && Run("ldns-signzone " + (zonemd.empty() ? "" : "-z " + zonemd) +
                     " -o . -i 20200101000000 -e 20300101000000 zone " + ksk_ + " " + zsk);
    signed_text_ = ReadFile(dir_ + "/zone.signed");
  }
  ~SignedLabZone() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  bool ok() const { return ok_ && !signed_text_.empty(); }
  const std::string& signed_text() const { return signed_text_; }
  std::string ksk_key_path() const { return dir_ + "/" + ksk_ + ".key"; }
  std::string ksk_ds_path() const { return dir_ + "/" + ksk_ + ".ds"; }
  // ldns-verify-zone's verdict on `text` (0 = verified).
  int LdnsVerify(const std::string& text) const {
    std::ofstream(dir_ + "/check.zone") << text;
    return std::system(("cd " + dir_ + " && ldns-verify-zone -k " + ksk_ + ".key check.zone >/dev/null 2>&1").c_str());
  }

 private:
  bool Run(const std::string& command) const {
    return std::system(("cd " + dir_ + " && " + command + " 2>/dev/null").c_str()) == 0;
  }

  std::string dir_;
  std::string ksk_;
  std::string signed_text_;
  bool ok_ = false;
};

Zone Load(const std::string& text) {
  absl::StatusOr<Zone> z = ReadMasterText(text, "lab.zone");
  EXPECT_TRUE(z.ok()) << z.status();
  return *std::move(z);
}

TEST(LdnsSignedZone, EveryAlgorithmVerifies) {
  struct Case {
    const char* name;
    uint8_t number;
    int bits;
  };
  for (const Case& c : {Case{"RSASHA256", 8, 2048}, Case{"RSASHA512", 10, 2048}, Case{"ECDSAP256SHA256", 13, 256},
                        Case{"ECDSAP384SHA384", 14, 384}, Case{"ED25519", 15, 256}}) {
    SCOPED_TRACE(c.name);
    const SignedLabZone lab(c.name, "");
    ASSERT_TRUE(lab.ok());
    const Zone zone = Load(lab.signed_text());
    // The .key file (a DNSKEY line with a trailing ldns comment) and the .ds file both anchor.
    for (const std::string& path : {lab.ksk_key_path(), lab.ksk_ds_path()}) {
      const absl::StatusOr<TrustAnchor> anchor = TrustAnchor::LoadFile(path);
      ASSERT_TRUE(anchor.ok()) << anchor.status();
      const VerifyReport r = VerifyZone(zone, &*anchor, kAt);
      EXPECT_TRUE(r.ok()) << r.ToString();
      EXPECT_TRUE(r.dnskey_validated);
      // SOA, NS, DNSKEY, 3 NSEC, 1 DS: glue and delegation NS are not signed.
      EXPECT_EQ(r.signatures_verified, 7u);
      EXPECT_EQ(r.rrsets_signed, 7u);
      ASSERT_EQ(r.keys.size(), 2u);
      for (const KeyRole& k : r.keys) {
        EXPECT_EQ(k.algorithm, c.number);
        EXPECT_EQ(k.bits, c.bits);
        EXPECT_EQ(k.signs, k.ksk ? std::vector<uint16_t>{48} : (std::vector<uint16_t>{2, 6, 43, 47}));
      }
    }
  }
}

TEST(LdnsSignedZone, FlippedEcdsaSignatureFails) {
  const SignedLabZone lab("ECDSAP256SHA256", "");
  ASSERT_TRUE(lab.ok());
  std::string text = lab.signed_text();
  // First character of the SOA signature.
  const size_t sig = text.find("20200101000000 ", text.find("RRSIG\tSOA"));
  const size_t at = text.find(". ", sig) + 2;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  const VerifyReport r = VerifyZone(Load(text), nullptr, kAt);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.problems[0], ::testing::MatchesRegex(
                                 R"(\. RRSIG \(lab\.zone:2\) covering SOA: signature does not verify with key [0-9]+)"));
}

TEST(LdnsSignedZone, ZonemdSha384Verifies) {
  const SignedLabZone lab("ECDSAP256SHA256", "1:1");
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.LdnsVerify(lab.signed_text()), 0);
  const VerifyReport r = VerifyZone(Load(lab.signed_text()), nullptr, kAt);
  EXPECT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(r.zonemd.status, ZonemdStatus::kVerified);
  EXPECT_EQ(r.zonemd.hash_algorithm, 1);
  EXPECT_EQ(r.zonemd.ToString(), "verified (SHA-384)");
}

TEST(LdnsSignedZone, ZonemdSha512Verifies) {
  const SignedLabZone lab("ED25519", "1:2");
  ASSERT_TRUE(lab.ok());
  const VerifyReport r = VerifyZone(Load(lab.signed_text()), nullptr, kAt);
  EXPECT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(r.zonemd.ToString(), "verified (SHA-512)");
}

TEST(LdnsSignedZone, ZonemdMismatchAfterOneRecordAltered) {
  const SignedLabZone lab("ECDSAP256SHA256", "1:1");
  ASSERT_TRUE(lab.ok());
  // Glue is unsigned, so only the digest can notice this change.
  std::string text = lab.signed_text();
  ASSERT_TRUE(ReplaceFirst(text, "192.0.2.53", "192.0.2.54"));
  EXPECT_NE(lab.LdnsVerify(text), 0);  // ldns agrees the zone is now broken
  const VerifyReport r = VerifyZone(Load(text), nullptr, kAt);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.zonemd.status, ZonemdStatus::kMismatch);
  ASSERT_EQ(r.problem_count, 1u) << r.ToString();
  EXPECT_THAT(r.problems[0], HasSubstr(". ZONEMD (lab.zone:"));
  EXPECT_THAT(r.problems[0], HasSubstr("SHA-384 digest does not match the zone"));
}

TEST(LdnsSignedZone, ZonemdSerialMustMatchSoa) {
  const SignedLabZone lab("ED25519", "1:1");
  ASSERT_TRUE(lab.ok());
  std::string text = lab.signed_text();
  ASSERT_TRUE(ReplaceFirst(text, "ZONEMD\t2024010100", "ZONEMD\t2024010101"));
  const VerifyReport r = VerifyZone(Load(text), nullptr, kAt);
  EXPECT_EQ(r.zonemd.status, ZonemdStatus::kMismatch);
  EXPECT_TRUE(std::any_of(r.problems.begin(), r.problems.end(), [](const std::string& p) {
    return p.find("ZONEMD serial 2024010101 differs from SOA serial 2024010100") != std::string::npos;
  })) << r.ToString();
}

TEST(LdnsSignedZone, UnsignedAuthoritativeRRsetIsReported) {
  const SignedLabZone lab("ED25519", "");
  ASSERT_TRUE(lab.ok());
  // A DS added after signing carries no RRSIG.
  const std::string text = lab.signed_text() + "lab.\t3600\tIN\tDS\t1 13 2 " + std::string(64, '0') + "\n";
  const VerifyReport r = VerifyZone(Load(text), nullptr, kAt);
  EXPECT_THAT(r.problems, ::testing::Contains(HasSubstr("lab. DS (lab.zone:")));
  EXPECT_THAT(r.problems, ::testing::Contains(HasSubstr("): RRset has no RRSIG")));
  // And the NSEC at lab. does not list it.
  EXPECT_THAT(r.problems, ::testing::Contains(HasSubstr("type bitmap lacks DS")));
}

}  // namespace
}  // namespace rootd::zone
