#include "zone/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

using BnPtr = CPtr<BIGNUM, BN_free>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

BnPtr ToBn(std::string_view bytes) {
  return BnPtr(BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
}

// Builds a key from provider parameters (the non-deprecated OpenSSL 3 way).
absl::StatusOr<EvpPkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  CPtr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld));
  CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return absl::InvalidArgumentError(Cat("OpenSSL rejects the ", type, " public key"));
  }
  return EvpPkeyPtr(key);
}

absl::StatusOr<EvpPkeyPtr> RsaKey(std::string_view key) {
  // RFC 3110 2: exponent length in one octet, or 0 then two octets; then exponent, modulus.
  if (key.empty()) return absl::InvalidArgumentError("empty RSA key");
  size_t exp_len = static_cast<uint8_t>(key[0]);
  size_t at = 1;
  if (exp_len == 0) {
    if (key.size() < 3) return absl::InvalidArgumentError("truncated RSA exponent length");
    exp_len = Get16(key, 1);
    at = 3;
  }
  if (exp_len == 0 || key.size() <= at + exp_len) return absl::InvalidArgumentError("truncated RSA key");
  BnPtr e = ToBn(key.substr(at, exp_len));
  BnPtr n = ToBn(key.substr(at + exp_len));
  CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return absl::InternalError("cannot build RSA parameters");
  }
  return FromParams("RSA", bld.get());
}

absl::StatusOr<EvpPkeyPtr> EcKey(std::string_view key, const char* group, size_t coord_len) {
  if (key.size() != 2 * coord_len) {
    return absl::InvalidArgumentError(Cat("ECDSA key is ", key.size(), " octets, expected ", 2 * coord_len));
  }
  std::string point = "\x04" + std::string(key);  // uncompressed point (SEC 1 2.3.3)
  CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return absl::InternalError("cannot build EC parameters");
  }
  return FromParams("EC", bld.get());
}

// RFC 6605 4: the signature is r|s, each as long as a coordinate; OpenSSL wants DER.
std::string EcdsaRawToDer(std::string_view raw) {
  const size_t half = raw.size() / 2;
  CPtr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
  BnPtr r = ToBn(raw.substr(0, half));
  BnPtr s = ToBn(raw.substr(half));
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r.get(), s.get())) return "";
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

bool PublicKey::IsSupportedAlgorithm(uint8_t algorithm) {
  switch (algorithm) {
    case dns::kAlgRsaSha256:
    case dns::kAlgRsaSha512:
    case dns::kAlgEcdsaP256:
    case dns::kAlgEcdsaP384:
    case dns::kAlgEd25519:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<PublicKey> PublicKey::FromDnskey(std::string_view rdata) {
  if (rdata.size() < 4) return absl::InvalidArgumentError("DNSKEY RDATA too short");
  const uint8_t algorithm = DnskeyAlgorithm(rdata);
  const std::string_view key = DnskeyPublicKey(rdata);
  absl::StatusOr<EvpPkeyPtr> pkey;
  switch (algorithm) {
    case dns::kAlgRsaSha256:
    case dns::kAlgRsaSha512:
      pkey = RsaKey(key);
      break;
    case dns::kAlgEcdsaP256:
      pkey = EcKey(key, "prime256v1", 32);
      break;
    case dns::kAlgEcdsaP384:
      pkey = EcKey(key, "secp384r1", 48);
      break;
    case dns::kAlgEd25519:
      if (key.size() != 32) return absl::InvalidArgumentError(Cat("Ed25519 key is ", key.size(), " octets"));
      pkey = EvpPkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(key), key.size()));
      if (!*pkey) return absl::InvalidArgumentError("OpenSSL rejects the Ed25519 key");
      break;
    default:
      return absl::UnimplementedError(Cat("unsupported DNSSEC algorithm ", int{algorithm}));
  }
  if (!pkey.ok()) return pkey.status();
  const int bits = EVP_PKEY_get_bits(pkey->get());
  return PublicKey(*std::move(pkey), algorithm, bits);
}

bool PublicKey::Verify(std::string_view data, std::string_view signature) const {
  const EVP_MD* md = nullptr;  // Ed25519 hashes internally
  std::string der;
  switch (algorithm_) {
    case dns::kAlgRsaSha256:
    case dns::kAlgEcdsaP256:
      md = EVP_sha256();
      break;
    case dns::kAlgRsaSha512:
      md = EVP_sha512();
      break;
    case dns::kAlgEcdsaP384:
      md = EVP_sha384();
      break;
    default:
      break;
  }
  if (algorithm_ == dns::kAlgEcdsaP256 || algorithm_ == dns::kAlgEcdsaP384) {
    const size_t expected = algorithm_ == dns::kAlgEcdsaP256 ? 64 : 96;
    if (signature.size() != expected) return false;
    der = EcdsaRawToDer(signature);
    if (der.empty()) return false;
    signature = der;
  }
  CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) <= 0) return false;
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(data), data.size()) == 1;
}

}  // namespace rootd::zone
