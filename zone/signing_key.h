// A DNSSEC private key: its DNSKEY RDATA, key tag, DS, and signatures in DNSSEC wire form.
// Supports RSA/SHA-256 (algorithm 8), ECDSA P-256/SHA-256 (algorithm 13) and Ed25519
// (algorithm 15) through OpenSSL EVP. Keys can be generated at random, derived deterministically from a seed (for labs and
// tests that must reproduce a zone byte for byte), and kept as PKCS#8 PEM.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace rootd::zone {

inline constexpr uint16_t kZskFlags = 256;  // Zone Key
inline constexpr uint16_t kKskFlags = 257;  // Zone Key | SEP

class SigningKey {
 public:
  // A fresh random key. `rsa_bits` is used for algorithm 8 only.
  static absl::StatusOr<SigningKey> Generate(uint8_t algorithm, uint16_t flags, int rsa_bits = 2048);
  // The same `seed` and `label` always give the same key. RSA primes come from a SHA-256
  // counter-mode stream (seeded_stream.h); ECDSA's private scalar likewise. The seed is the
  // whole secret: for labs and tests only.
  static absl::StatusOr<SigningKey> FromSeed(uint8_t algorithm, uint16_t flags, std::string_view seed,
                                             std::string_view label, int rsa_bits = 2048);
  // An unencrypted PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"). The algorithm is
  // taken from the key: RSA gives 8, EC P-256 gives 13, Ed25519 gives 15.
  static absl::StatusOr<SigningKey> FromPem(std::string_view pem, uint16_t flags);

  // Copies share the (immutable) OpenSSL key.
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  SigningKey(SigningKey&&) = default;
  SigningKey& operator=(SigningKey&&) = default;

  // Unencrypted PKCS#8 PEM; keep it private.
  absl::StatusOr<std::string> ToPem() const;

  // The same key with other DNSKEY flags (e.g. | kDnskeyRevoke): the RDATA and tag change.
  SigningKey WithFlags(uint16_t flags) const;

  uint8_t algorithm() const { return algorithm_; }
  uint16_t flags() const { return flags_; }
  bool is_ksk() const { return (flags_ & 1) != 0; }
  bool is_revoked() const { return (flags_ & 0x0080) != 0; }
  // flags | protocol 3 | algorithm | public key (RFC 4034 2.1, RFC 3110 2, RFC 6605 4).
  const std::string& dnskey_rdata() const { return dnskey_rdata_; }
  uint16_t key_tag() const { return key_tag_; }

  // DS RDATA for this key at `owner` (wire): tag | algorithm | digest type | digest.
  absl::StatusOr<std::string> DsRdata(std::string_view owner, uint8_t digest_type) const;

  // The signature over `data` as it goes into RRSIG RDATA: RSASSA-PKCS1-v1_5 with SHA-256
  // (deterministic), ECDSA r|s, 32 octets each (RFC 6605 4; randomized by OpenSSL 3.0), or the
  // 64-octet Ed25519 signature (RFC 8080 3; deterministic).
  absl::StatusOr<std::string> Sign(std::string_view data) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> pkey, uint8_t algorithm, uint16_t flags, std::string public_key);

  std::shared_ptr<EVP_PKEY> pkey_;
  uint8_t algorithm_ = 0;
  uint16_t flags_ = 0;
  std::string public_key_;  // DNSKEY public key field
  std::string dnskey_rdata_;
  uint16_t key_tag_ = 0;
};

}  // namespace rootd::zone
