#include "zone/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <utility>

#include "absl/status/status.h"
#include "zone/c_ptr.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/seeded_stream.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

using BnPtr = CPtr<BIGNUM, BN_clear_free>;
using BnCtxPtr = CPtr<BN_CTX, BN_CTX_free>;
using ParamBldPtr = CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = CPtr<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = CPtr<BIO, BIO_free_all>;
using EcGroupPtr = CPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = CPtr<EC_POINT, EC_POINT_free>;
using EcdsaSigPtr = CPtr<ECDSA_SIG, ECDSA_SIG_free>;

std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* p) { return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free); }

BnPtr NewBn() { return BnPtr(BN_new()); }

// The OpenSSL error queue as text (and cleared), for messages.
absl::Status OpenSslError(std::string_view what) {
  std::string detail;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  return absl::InternalError(Cat(what, detail.empty() ? "" : ": ", detail));
}

std::string BnBytes(const BIGNUM* bn) {
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// RFC 3110 2: exponent length (1 octet, or 0 and 2 octets), exponent, modulus.
absl::StatusOr<std::string> RsaPublicKeyField(EVP_PKEY* pkey) {
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) != 1 ||
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw) != 1) {
    BN_free(n_raw);
    return OpenSslError("reading RSA public key");
  }
  BnPtr n(n_raw), e(e_raw);
  const std::string exponent = BnBytes(e.get());
  std::string out;
  if (exponent.size() <= 255) {
    out += static_cast<char>(exponent.size());
  } else {
    out += '\0';
    Put16(out, static_cast<uint16_t>(exponent.size()));
  }
  out += exponent;
  out += BnBytes(n.get());
  return out;
}

// RFC 6605 4: x | y, 32 octets each (the uncompressed point without its 0x04 prefix).
absl::StatusOr<std::string> EcPublicKeyField(EVP_PKEY* pkey) {
  char group[64] = {};
  size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_len) != 1) {
    return OpenSslError("reading EC group");
  }
  if (std::string_view(group, group_len) != "prime256v1" && std::string_view(group, group_len) != "P-256") {
    return absl::InvalidArgumentError(Cat("unsupported EC group '", std::string_view(group, group_len), "'"));
  }
  unsigned char point[133];
  size_t point_len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &point_len) != 1) {
    return OpenSslError("reading EC public key");
  }
  if (point_len != 65 || point[0] != 0x04) return absl::InternalError("EC public key is not an uncompressed P-256 point");
  return std::string(reinterpret_cast<char*>(point) + 1, 64);
}

// RFC 8080 3: the 32-octet public key as it is.
absl::StatusOr<std::string> Ed25519PublicKeyField(EVP_PKEY* pkey) {
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 || len != 32) {
    return OpenSslError("reading Ed25519 public key");
  }
  return out;
}

absl::StatusOr<std::string> PublicKeyField(EVP_PKEY* pkey, uint8_t algorithm) {
  if (algorithm == dns::kAlgEd25519) return Ed25519PublicKeyField(pkey);
  return algorithm == dns::kAlgRsaSha256 ? RsaPublicKeyField(pkey) : EcPublicKeyField(pkey);
}

absl::Status CheckAlgorithm(uint8_t algorithm) {
  if (algorithm == dns::kAlgRsaSha256 || algorithm == dns::kAlgEcdsaP256 || algorithm == dns::kAlgEd25519) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(Cat("unsupported DNSSEC algorithm ", int{algorithm}, " (8, 13 and 15 are)"));
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> FromData(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError(Cat("building ", type, " key"));
  }
  return SharePkey(pkey);
}

// A prime of exactly `bits` bits with its top two bits set (so that the product of two has
// exactly 2*bits bits) and p - 1 coprime to `e`.
absl::StatusOr<BnPtr> DerivePrime(SeededStream& stream, int bits, const BIGNUM* e, BN_CTX* ctx) {
  std::string bytes(bits / 8, '\0');
  BnPtr candidate = NewBn(), p_minus_1 = NewBn(), gcd = NewBn();
  for (int attempt = 0; attempt < 100000; ++attempt) {
    stream.Fill(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
    bytes.front() = static_cast<char>(static_cast<uint8_t>(bytes.front()) | 0xc0);
    bytes.back() = static_cast<char>(static_cast<uint8_t>(bytes.back()) | 0x01);
    BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), candidate.get());
    const int prime = BN_check_prime(candidate.get(), ctx, nullptr);
    if (prime < 0) return OpenSslError("testing a prime");
    if (prime == 0) continue;
    BN_sub(p_minus_1.get(), candidate.get(), BN_value_one());
    BN_gcd(gcd.get(), p_minus_1.get(), e, ctx);
    if (BN_is_one(gcd.get())) return candidate;
  }
  return absl::InternalError("no prime found in 100000 candidates");
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> RsaFromSeed(SeededStream& stream, int bits) {
  if (bits < 1024 || bits > 4096 || bits % 16 != 0) {
    return absl::InvalidArgumentError(Cat("RSA key size ", bits, " not in 1024..4096 or not a multiple of 16"));
  }
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr e = NewBn();
  BN_set_word(e.get(), 65537);
  absl::StatusOr<BnPtr> p = DerivePrime(stream, bits / 2, e.get(), ctx.get());
  if (!p.ok()) return p.status();
  absl::StatusOr<BnPtr> q;
  do {
    q = DerivePrime(stream, bits / 2, e.get(), ctx.get());
    if (!q.ok()) return q.status();
  } while (BN_cmp(p->get(), q->get()) == 0);
  // OpenSSL's convention: p > q, iqmp = q^-1 mod p.
  if (BN_cmp(p->get(), q->get()) < 0) std::swap(*p, *q);

  BnPtr n = NewBn(), p1 = NewBn(), q1 = NewBn(), phi = NewBn(), g = NewBn(), lambda = NewBn(), rem = NewBn();
  BnPtr d = NewBn(), dmp1 = NewBn(), dmq1 = NewBn(), iqmp = NewBn();
  bool ok = BN_mul(n.get(), p->get(), q->get(), ctx.get()) && BN_sub(p1.get(), p->get(), BN_value_one()) &&
            BN_sub(q1.get(), q->get(), BN_value_one()) && BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()) &&
            BN_gcd(g.get(), p1.get(), q1.get(), ctx.get()) &&
            BN_div(lambda.get(), rem.get(), phi.get(), g.get(), ctx.get()) &&
            BN_mod_inverse(d.get(), e.get(), lambda.get(), ctx.get()) != nullptr &&
            BN_mod(dmp1.get(), d.get(), p1.get(), ctx.get()) && BN_mod(dmq1.get(), d.get(), q1.get(), ctx.get()) &&
            BN_mod_inverse(iqmp.get(), q->get(), p->get(), ctx.get()) != nullptr;
  if (!ok) return OpenSslError("computing the RSA private key");

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  ok = OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p->get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q->get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()) &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get());
  if (!ok) return OpenSslError("building RSA parameters");
  return FromData("RSA", bld.get());
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> EcdsaP256FromSeed(SeededStream& stream) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr ctx(BN_CTX_new());
  if (!group || !ctx) return OpenSslError("loading P-256");
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  BnPtr priv = NewBn();
  uint8_t bytes[32];
  // Rejection sampling keeps the scalar uniform in [1, order).
  do {
    stream.Fill(bytes, sizeof bytes);
    BN_bin2bn(bytes, sizeof bytes, priv.get());
  } while (BN_is_zero(priv.get()) || BN_cmp(priv.get(), order) >= 0);
  EcPointPtr pub(EC_POINT_new(group.get()));
  unsigned char point[65];
  if (!pub || EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, ctx.get()) !=
          sizeof point) {
    return OpenSslError("computing the P-256 public key");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  const bool ok =
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) &&
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
  if (!ok) return OpenSslError("building EC parameters");
  return FromData("EC", bld.get());
}

// An Ed25519 private key is 32 octets from the stream as they are (RFC 8032 5.1.5).
absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ed25519FromSeed(SeededStream& stream) {
  uint8_t bytes[32];
  stream.Fill(bytes, sizeof bytes);
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes, sizeof bytes);
  OPENSSL_cleanse(bytes, sizeof bytes);
  if (raw == nullptr) return OpenSslError("building Ed25519 key");
  return SharePkey(raw);
}

// DER ECDSA-Sig-Value to the fixed-width r | s of RFC 6605 4.
absl::StatusOr<std::string> EcdsaDerToRaw(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OpenSslError("decoding an ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(64, '\0');
  if (BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), 32) != 32 ||
      BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32) != 32) {
    return absl::InternalError("ECDSA signature component longer than 32 octets");
  }
  return out;
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> pkey, uint8_t algorithm, uint16_t flags, std::string public_key)
    : pkey_(std::move(pkey)), algorithm_(algorithm), public_key_(std::move(public_key)) {
  *this = WithFlags(flags);
}

SigningKey SigningKey::WithFlags(uint16_t flags) const {
  SigningKey out = *this;
  out.flags_ = flags;
  out.dnskey_rdata_.clear();
  Put16(out.dnskey_rdata_, flags);
  out.dnskey_rdata_ += static_cast<char>(3);  // protocol (RFC 4034 2.1.2)
  out.dnskey_rdata_ += static_cast<char>(algorithm_);
  out.dnskey_rdata_ += public_key_;
  out.key_tag_ = KeyTag(out.dnskey_rdata_);
  return out;
}

absl::StatusOr<SigningKey> SigningKey::Generate(uint8_t algorithm, uint16_t flags, int rsa_bits) {
  if (absl::Status s = CheckAlgorithm(algorithm); !s.ok()) return s;
  EVP_PKEY* raw = algorithm == dns::kAlgRsaSha256 ? EVP_RSA_gen(static_cast<unsigned int>(rsa_bits))
                  : algorithm == dns::kAlgEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                                  : EVP_EC_gen("P-256");
  if (raw == nullptr) return OpenSslError("generating a key");
  std::shared_ptr<EVP_PKEY> pkey = SharePkey(raw);
  absl::StatusOr<std::string> pub = PublicKeyField(pkey.get(), algorithm);
  if (!pub.ok()) return pub.status();
  return SigningKey(std::move(pkey), algorithm, flags, *std::move(pub));
}

absl::StatusOr<SigningKey> SigningKey::FromSeed(uint8_t algorithm, uint16_t flags, std::string_view seed,
                                                std::string_view label, int rsa_bits) {
  if (absl::Status s = CheckAlgorithm(algorithm); !s.ok()) return s;
  // The algorithm and size are part of the stream label: an RSA and an ECDSA key from one
  // seed and label share nothing.
  SeededStream stream(seed, Cat("dnssec-key/", int{algorithm}, "/", rsa_bits, "/", label));
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> pkey = algorithm == dns::kAlgRsaSha256 ? RsaFromSeed(stream, rsa_bits)
                                                     : algorithm == dns::kAlgEd25519 ? Ed25519FromSeed(stream)
                                                                                     : EcdsaP256FromSeed(stream);
  if (!pkey.ok()) return pkey.status();
  absl::StatusOr<std::string> pub = PublicKeyField(pkey->get(), algorithm);
  if (!pub.ok()) return pub.status();
  return SigningKey(*std::move(pkey), algorithm, flags, *std::move(pub));
}

absl::StatusOr<SigningKey> SigningKey::FromPem(std::string_view pem, uint16_t flags) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return OpenSslError("reading a PEM private key");
  std::shared_ptr<EVP_PKEY> pkey = SharePkey(raw);
  uint8_t algorithm = 0;
  if (EVP_PKEY_is_a(raw, "RSA")) {
    algorithm = dns::kAlgRsaSha256;
  } else if (EVP_PKEY_is_a(raw, "EC")) {
    algorithm = dns::kAlgEcdsaP256;  // EcPublicKeyField rejects other curves
  } else if (EVP_PKEY_is_a(raw, "ED25519")) {
    algorithm = dns::kAlgEd25519;
  } else {
    return absl::InvalidArgumentError("PEM key is neither RSA, EC nor Ed25519");
  }
  absl::StatusOr<std::string> pub = PublicKeyField(raw, algorithm);
  if (!pub.ok()) return pub.status();
  return SigningKey(std::move(pkey), algorithm, flags, *std::move(pub));
}

absl::StatusOr<std::string> SigningKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing a PEM private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> SigningKey::DsRdata(std::string_view owner, uint8_t digest_type) const {
  absl::StatusOr<std::string> digest = DsDigest(owner, dnskey_rdata_, digest_type);
  if (!digest.ok()) return digest.status();
  std::string out;
  Put16(out, key_tag_);
  out += static_cast<char>(algorithm_);
  out += static_cast<char>(digest_type);
  out += *digest;
  return out;
}

absl::StatusOr<std::string> SigningKey::Sign(std::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  // Ed25519 hashes inside the scheme (PureEdDSA, RFC 8080 4): no digest is given.
  const EVP_MD* md = algorithm_ == dns::kAlgEd25519 ? nullptr : EVP_sha256();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return OpenSslError("starting a signature");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) != 1) {
    return OpenSslError("signing");
  }
  sig.resize(len);
  if (algorithm_ == dns::kAlgEcdsaP256) return EcdsaDerToRaw(sig);
  return sig;
}

}  // namespace rootd::zone
