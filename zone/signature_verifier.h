// Verifies every RRSIG of a zone against the apex DNSKEY RRset (RFC 4035 5.3) and checks
// that every RRset the zone is authoritative for carries at least one valid signature.
// Only the apex may sign (this is for root-like zones: the signer must be the apex name).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/apex_keys.h"
#include "zone/dnssec_wire.h"
#include "zone/zone.h"

namespace rootd::zone {

struct SignatureOptions {
  absl::Time at = absl::Now();  // evaluation time for inception/expiration
  int threads = 0;              // worker threads; 0 = std::thread::hardware_concurrency()
};

// One RRSIG that verified, and with which key.
struct VerifiedSignature {
  const Record* rrsig = nullptr;
  uint16_t type_covered = 0;
  int key_index = -1;  // into ApexKeys::keys()
};

struct SignatureReport {
  size_t signatures_checked = 0;
  size_t rrsets_checked = 0;  // RRsets that must be signed
  std::vector<VerifiedSignature> verified;
  // "<name> <TYPE> (<file:line>): <reason>", in zone order.
  std::vector<std::string> failures;
  // The soonest expiration among all signatures (InfiniteFuture when there are none), and
  // the RRSIG carrying it.
  absl::Time earliest_expiration = absl::InfiniteFuture();
  const Record* earliest_expiring = nullptr;
};

class SignatureVerifier {
 public:
  // `keys` must come from the same zone and outlive the verifier.
  SignatureVerifier(const Zone& zone, const ApexKeys& keys) : zone_(zone), keys_(keys) {}

  SignatureReport Verify(const SignatureOptions& options) const;

 private:
  const Zone& zone_;
  const ApexKeys& keys_;
};

// The checks of one RRSIG, for callers that verify a single RRset (a replacement DNSKEY RRset)
// and keep its time window apart from its cryptography.
//
// OK when `at` lies in the RRSIG's validity window (RFC 4034 3.1.5, serial arithmetic); else
// "signature expired at <time>" or "signature not yet valid (inception <time>)".
absl::Status CheckRrsigWindow(const RrsigFields& rrsig, absl::Time at);
// The index into `keys.keys()` of the zone key that verifies `rrsig` over `rrset` at `owner`
// (lowercase wire), the signer being `apex_name`; every key with the RRSIG's tag and algorithm is
// tried (tags collide). Else why not: wrong signer, too many labels, no such key, not a zone key,
// or "signature does not verify with key <tag>". Ignores the time window.
absl::StatusOr<int> VerifyRrsig(const RrsigFields& rrsig, std::string_view owner, const RRset& rrset,
                                const ApexKeys& keys, std::string_view apex_name);

// RFC 3339 UTC, seconds precision: "2017-09-03T05:00:00Z".
std::string FormatUtc(absl::Time t);
// An RRSIG time field as an absolute time, resolved with RFC 1982 serial arithmetic
// relative to `at` (RFC 4034 3.1.5).
absl::Time RrsigTime(uint32_t field, absl::Time at);

}  // namespace rootd::zone
