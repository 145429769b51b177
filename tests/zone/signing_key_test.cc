#include "zone/encoding.h"
#include "zone/signing_key.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/zone/ldns_reference.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/seeded_stream.h"

namespace rootd::zone {
namespace {

using testing::ParseRr;
using testing::RdfBytes;

const std::string kRootName(1, '\0');

std::string DnskeyLine(const SigningKey& key) {
  Record r{kRootName, dns::kTypeDnskey, dns::kClassIn, 172800, key.dnskey_rdata()};
  return RecordToText(r);
}

SigningKey SeededKey(uint8_t algorithm, uint16_t flags, std::string_view seed, std::string_view label) {
  absl::StatusOr<SigningKey> key = SigningKey::FromSeed(algorithm, flags, seed, label);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

TEST(SeededStream, SameSeedAndLabelSameBytesOthersDiffer) {
  SeededStream a("seed", "label"), b("seed", "label"), c("seed", "other"), d("seed2", "label");
  const std::string x = a.Bytes(100);
  EXPECT_EQ(x, b.Bytes(100));
  EXPECT_NE(x, c.Bytes(100));
  EXPECT_NE(x, d.Bytes(100));
  for (int i = 0; i < 1000; ++i) {
    const int v = a.Between(2, 13);
    ASSERT_GE(v, 2);
    ASSERT_LE(v, 13);
  }
}

TEST(SigningKey, SeededRsaKeyIsDeterministic) {
  const SigningKey a = SeededKey(dns::kAlgRsaSha256, kKskFlags, "lab-seed", "ksk");
  const SigningKey b = SeededKey(dns::kAlgRsaSha256, kKskFlags, "lab-seed", "ksk");
  const SigningKey other_seed = SeededKey(dns::kAlgRsaSha256, kKskFlags, "lab-seed-2", "ksk");
  const SigningKey other_label = SeededKey(dns::kAlgRsaSha256, kKskFlags, "lab-seed", "zsk");
  EXPECT_EQ(a.dnskey_rdata(), b.dnskey_rdata());
  EXPECT_EQ(a.ToPem().value(), b.ToPem().value());
  EXPECT_NE(a.dnskey_rdata(), other_seed.dnskey_rdata());
  EXPECT_NE(a.dnskey_rdata(), other_label.dnskey_rdata());
  // RSA-2048 with e = 65537: exponent length 3, exponent, 256-octet modulus.
  EXPECT_EQ(a.dnskey_rdata().size(), 4u + 1 + 3 + 256);
  EXPECT_EQ(a.dnskey_rdata().substr(4, 4), std::string("\x03\x01\x00\x01", 4));
  // PKCS#1 v1.5 signatures are deterministic.
  EXPECT_EQ(a.Sign("data").value(), b.Sign("data").value());
  EXPECT_EQ(a.Sign("data").value().size(), 256u);
}

TEST(SigningKey, KeyTagAndDsMatchLdns) {
  for (uint8_t algorithm : {dns::kAlgRsaSha256, dns::kAlgEcdsaP256}) {
    for (uint16_t flags : {kZskFlags, kKskFlags, static_cast<uint16_t>(kKskFlags | dns::kDnskeyRevoke)}) {
      SCOPED_TRACE(::testing::Message() << "algorithm " << int{algorithm} << " flags " << flags);
      const SigningKey key = SeededKey(algorithm, flags, "tag-seed", "key");
      EXPECT_EQ(key.flags(), flags);
      testing::LdnsRr rr = ParseRr(DnskeyLine(key));
      ASSERT_NE(rr, nullptr) << DnskeyLine(key);
      EXPECT_EQ(key.key_tag(), ldns_calc_keytag(rr.get()));
      for (auto [digest_type, hash] : {std::pair{dns::kDigestSha1, LDNS_SHA1}, std::pair{dns::kDigestSha256, LDNS_SHA256},
                                       std::pair{dns::kDigestSha384, LDNS_SHA384}}) {
        testing::LdnsRr ds(ldns_key_rr2ds(rr.get(), hash));
        ASSERT_NE(ds, nullptr);
        const std::string ours = key.DsRdata(kRootName, digest_type).value();
        std::string theirs;
        for (size_t i = 0; i < ldns_rr_rd_count(ds.get()); ++i) theirs += RdfBytes(ds.get(), i);
        EXPECT_EQ(HexEncode(ours), HexEncode(theirs));
      }
    }
  }
}

TEST(SigningKey, DsMatchesLdnsKey2ds) {
  const SigningKey key = SeededKey(dns::kAlgRsaSha256, kKskFlags, "ldns-key2ds", "ksk");
  const std::string dir = ::testing::TempDir() + "/key2ds";
  ASSERT_EQ(testing::RunCommand("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").exit_code, 0);
  std::ofstream(dir + "/root.key") << DnskeyLine(key) << "\n";
  const testing::CommandResult r = testing::RunCommand("cd '" + dir + "' && ldns-key2ds -n -2 root.key");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  testing::LdnsRr ds = ParseRr(r.output.substr(0, r.output.find('\n')));
  ASSERT_NE(ds, nullptr) << r.output;
  std::string theirs;
  for (size_t i = 0; i < ldns_rr_rd_count(ds.get()); ++i) theirs += RdfBytes(ds.get(), i);
  EXPECT_EQ(HexEncode(key.DsRdata(kRootName, dns::kDigestSha256).value()), HexEncode(theirs));
}

TEST(SigningKey, RevokeBitChangesRdataAndTag) {
  const SigningKey ksk = SeededKey(dns::kAlgRsaSha256, kKskFlags, "revoke", "ksk");
  const SigningKey revoked = ksk.WithFlags(kKskFlags | dns::kDnskeyRevoke);
  EXPECT_TRUE(revoked.is_revoked());
  EXPECT_TRUE(revoked.is_ksk());
  EXPECT_FALSE(ksk.is_revoked());
  EXPECT_EQ(revoked.flags(), 385);
  // The flags are part of the RDATA, so revoking changes the tag (RFC 5011 7).
  EXPECT_NE(revoked.key_tag(), ksk.key_tag());
  EXPECT_EQ(revoked.dnskey_rdata().substr(2), ksk.dnskey_rdata().substr(2));
  EXPECT_EQ(revoked.Sign("x").value(), ksk.Sign("x").value());
}

TEST(SigningKey, PemRoundTripKeepsKey) {
  for (uint8_t algorithm : {dns::kAlgRsaSha256, dns::kAlgEcdsaP256}) {
    const SigningKey key = SeededKey(algorithm, kZskFlags, "pem", "zsk");
    const std::string pem = key.ToPem().value();
    EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    absl::StatusOr<SigningKey> back = SigningKey::FromPem(pem, kZskFlags);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->algorithm(), algorithm);
    EXPECT_EQ(back->dnskey_rdata(), key.dnskey_rdata());
  }
  EXPECT_FALSE(SigningKey::FromPem("not a key", kZskFlags).ok());
}

TEST(SigningKey, EcdsaP256KeyShape) {
  const SigningKey a = SeededKey(dns::kAlgEcdsaP256, kKskFlags, "ec", "ksk");
  const SigningKey b = SeededKey(dns::kAlgEcdsaP256, kKskFlags, "ec", "ksk");
  EXPECT_EQ(a.dnskey_rdata(), b.dnskey_rdata());
  EXPECT_EQ(a.dnskey_rdata().size(), 4u + 64);
  EXPECT_EQ(a.Sign("data").value().size(), 64u);
}

TEST(SigningKey, Ed25519KeyShapeAndPemRoundTrip) {
  const SigningKey a = SeededKey(dns::kAlgEd25519, kKskFlags, "ed", "ksk");
  EXPECT_EQ(a.dnskey_rdata(), SeededKey(dns::kAlgEd25519, kKskFlags, "ed", "ksk").dnskey_rdata());
  EXPECT_EQ(a.dnskey_rdata().size(), 4u + 32);  // RFC 8080 3
  // Deterministic (RFC 8032), 64 octets.
  EXPECT_EQ(a.Sign("data").value().size(), 64u);
  EXPECT_EQ(a.Sign("data").value(), a.Sign("data").value());
  absl::StatusOr<SigningKey> back = SigningKey::FromPem(a.ToPem().value(), kKskFlags);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->algorithm(), dns::kAlgEd25519);
  EXPECT_EQ(back->dnskey_rdata(), a.dnskey_rdata());
  absl::StatusOr<SigningKey> fresh = SigningKey::Generate(dns::kAlgEd25519, kZskFlags);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE(fresh->dnskey_rdata().substr(4), a.dnskey_rdata().substr(4));
}

TEST(SigningKey, RandomKeysDiffer) {
  absl::StatusOr<SigningKey> a = SigningKey::Generate(dns::kAlgEcdsaP256, kZskFlags);
  absl::StatusOr<SigningKey> b = SigningKey::Generate(dns::kAlgEcdsaP256, kZskFlags);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->dnskey_rdata(), b->dnskey_rdata());
  EXPECT_FALSE(SigningKey::Generate(5, kZskFlags).ok());  // RSA/SHA-1 is not offered
}

}  // namespace
}  // namespace rootd::zone
