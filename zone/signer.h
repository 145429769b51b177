// Makes RRSIG records (RFC 4034 3, RFC 4035 2.2): for one RRset with one key, or for every
// authoritative RRset of a Zone. Signing is separate from key policy so that later tools can
// reuse it: a key signing request bundle signs only the DNSKEY RRset; a rollover testbed
// signs the DNSKEY RRset with two KSKs plus a revoked key that signs itself.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/signing_key.h"
#include "zone/zone.h"

namespace rootd::zone {

// RRSIG times (RFC 4034 3.1.5): 32-bit seconds since the epoch, serial-number arithmetic.
struct SignatureValidity {
  uint32_t inception = 0;
  uint32_t expiration = 0;

  static SignatureValidity Between(absl::Time inception, absl::Time expiration);
};

// One RRset to sign. The RDATAs need not be canonical or sorted (SignedData does that).
struct RrsetToSign {
  std::string_view owner;  // wire
  uint16_t type = 0;
  uint16_t rclass = 1;
  uint32_t ttl = 0;  // becomes the RRSIG's original TTL and the RRSIG record's TTL
  std::vector<std::string_view> rdatas;
};

// The RRSIG record over `rrset` by `key`. `signer` is the zone apex (wire), "." by default.
// The labels field counts the owner's labels without a leading "*" (RFC 4034 3.1.3).
absl::StatusOr<Record> SignRrset(const SigningKey& key, const RrsetToSign& rrset, const SignatureValidity& validity,
                                 std::string_view signer = std::string_view("\0", 1));

struct ZoneSigningOptions {
  SignatureValidity validity;
  std::string signer = std::string(1, '\0');  // apex, wire
  // Every key here signs the apex DNSKEY RRset (KSKs, a revoked KSK signing itself ...).
  std::vector<SigningKey> dnskey_signers;
  // Every key here signs every other authoritative RRset.
  std::vector<SigningKey> zone_signers;
  // RRsets of these types are left unsigned (e.g. ZONEMD, signed after its digest is known).
  std::vector<uint16_t> skip_types;
  // Worker threads; 0 means one per hardware thread. The output does not depend on it.
  int threads = 0;
};

// RRSIGs for every authoritative RRset of `zone` in its canonical order: everything at and
// below the apex except the NS RRsets of delegations and everything below a delegation (glue);
// existing RRSIGs are ignored (neither re-signed nor removed).
absl::StatusOr<std::vector<Record>> SignZone(const Zone& zone, const ZoneSigningOptions& options);

// True for a node that is a delegation point (NS, not at the apex).
bool IsDelegation(const Zone& zone, const Node& node);

}  // namespace rootd::zone
