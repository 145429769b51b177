// A lab root zone: realistic in shape and size (SOA, the 13 root servers with glue under a
// delegated net., ~1500 TLDs with 2-13 name servers, glue, DS for most, NSEC, DNSKEY, RRSIGs,
// ZONEMD) but signed with lab keys, so tests, benchmarks and rollover labs can run against a
// zone whose keys they hold. Everything is derived from a seed: the same options give a
// byte-identical zone (with RSA keys; OpenSSL 3.0's ECDSA signatures are randomized).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/rr_types.h"
#include "zone/signing_key.h"
#include "zone/zone.h"

namespace rootd::zone {

// A key the generator derives from the seed.
struct LabKeySpec {
  uint8_t algorithm = dns::kAlgRsaSha256;
  int rsa_bits = 2048;
  // A revoked KSK (RFC 5011): published with the REVOKE bit, signs the DNSKEY RRset, and is
  // left out of the trust anchor.
  bool revoked = false;
};

struct LabZoneOptions {
  uint64_t seed = 1;
  int tld_count = 1500;  // at least 1: net. is always present (it holds the root servers' glue)
  // A fixed default keeps generation deterministic; pass absl::Now() for a zone that
  // validates today.
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 0, 0, 0), absl::UTCTimeZone());
  std::optional<absl::Time> inception;   // default now - 1 hour
  std::optional<absl::Time> expiration;  // default now + 14 days
  uint32_t serial = 0;                   // 0: YYYYMMDD00 of `now`
  // Keys derived from the seed, used when `ksks` / `zsks` below are empty.
  std::vector<LabKeySpec> ksk_specs = {LabKeySpec{}};
  std::vector<LabKeySpec> zsk_specs = {LabKeySpec{}};
  // Keys a lab keeps (e.g. read with SigningKey::FromPem); KSKs need the SEP flag (257, or
  // 385 for a revoked one).
  std::vector<SigningKey> ksks;
  std::vector<SigningKey> zsks;
  bool zonemd = true;       // SIMPLE / SHA-384 (RFC 8976)
  int signing_threads = 0;  // 0: one per hardware thread; does not change the output
};

struct LabZone {
  uint32_t serial = 0;
  std::vector<Record> records;  // output order: apex first, then each TLD with its glue
  std::string text;             // master file of `records`, one record per line
  std::vector<SigningKey> ksks;
  std::vector<SigningKey> zsks;
  // The trust anchor: one line per KSK that is not revoked, newline-terminated.
  std::string trust_anchor_ds;      // ". 86400 IN DS <tag> <alg> 2 <hex>"
  std::string trust_anchor_dnskey;  // ". 172800 IN DNSKEY 257 3 <alg> <base64>"
  std::vector<std::string> tlds;    // TLD labels in canonical order
};

absl::StatusOr<LabZone> GenerateLabZone(const LabZoneOptions& options);

// The generated zone before signing (root_signing.h's SignRootZone signs it): SOA, the apex NS,
// the TLDs' NS and DS, and glue, from `options`' seed, tld_count, serial and now; keys unused.
struct LabZoneContent {
  uint32_t serial = 0;
  std::vector<Record> records;
  std::vector<std::string> tlds;  // canonical order
};
absl::StatusOr<LabZoneContent> GenerateLabZoneContent(const LabZoneOptions& options);

enum class LabKeyRole : uint8_t { kKsk, kZsk };

// The `number`th (1-based) KSK or ZSK derived from `seed`, as GenerateLabZone derives key i+1 of
// its ksk_specs / zsk_specs: whoever holds the seed holds the lab zone's keys, and more of the
// same series (lab_rollover.h's KSK-B and ZSK-2 are number 2). Flags 257 or 256, with REVOKE
// when `spec.revoked` (the flags do not enter the derivation: the revoked key is the same key).
absl::StatusOr<SigningKey> LabKeyFromSeed(uint64_t seed, LabKeyRole role, int number, const LabKeySpec& spec = {});

// The TLD labels for a seed: real ccTLDs, gTLDs, brand TLDs and IDN (xn--) TLDs from a
// built-in list, then more generated from the seed; net is always included. Canonical order.
std::vector<std::string> LabTldLabels(uint64_t seed, int count);

// RFC 3492 Punycode of Unicode code points (the part after "xn--").
std::string Punycode(const std::vector<uint32_t>& code_points);

}  // namespace rootd::zone
