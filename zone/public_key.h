// A DNSKEY's public key as an OpenSSL 3 EVP_PKEY, parsed once and then used to verify many
// RRSIGs, from several threads at once (verification only reads the key; each call has its
// own digest context).
#pragma once
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "zone/c_ptr.h"

namespace rootd::zone {

using EvpPkeyPtr = CPtr<EVP_PKEY, EVP_PKEY_free>;

class PublicKey {
 public:
  // From DNSKEY RDATA. Supported algorithms: 8 and 10 (RSA, RFC 3110 exponent/modulus form),
  // 13 and 14 (ECDSA P-256/P-384, RFC 6605 x|y), 15 (Ed25519, RFC 8080).
  static absl::StatusOr<PublicKey> FromDnskey(std::string_view dnskey_rdata);
  static bool IsSupportedAlgorithm(uint8_t algorithm);

  PublicKey(PublicKey&&) = default;
  PublicKey& operator=(PublicKey&&) = default;

  // Verifies a DNSSEC signature (RSA PKCS#1 v1.5; ECDSA as raw r|s, RFC 6605 4; Ed25519)
  // over `data`. False on any mismatch or malformed signature.
  bool Verify(std::string_view data, std::string_view signature) const;

  uint8_t algorithm() const { return algorithm_; }
  // Modulus bits for RSA, curve order bits for ECDSA, 256 for Ed25519.
  int bits() const { return bits_; }

 private:
  PublicKey(EvpPkeyPtr key, uint8_t algorithm, int bits) : key_(std::move(key)), algorithm_(algorithm), bits_(bits) {}

  EvpPkeyPtr key_;
  uint8_t algorithm_ = 0;
  int bits_ = 0;
};

}  // namespace rootd::zone
