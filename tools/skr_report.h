// skrtool's logic, apart from its command line: an SKR's bundles as a timeline (`show`) and
// the checks a bundle must pass before it is served (`verify`), as text or JSON.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "zone/skr.h"

namespace rootd::tools {

struct SkrKeySummary {
  uint16_t tag = 0;  // computed over the RDATA as published: REVOKE changes it (19036 becomes 19164)
  uint16_t flags = 0;
  uint8_t algorithm = 0;
  int bits = 0;      // 0 when the key cannot be parsed
  bool ksk = false;  // SEP bit
  bool revoked = false;
  bool signs = false;  // an RRSIG of the bundle names this key's tag and algorithm
};

struct SkrBundleSummary {
  size_t index = 0;  // 1-based, as the ceremonies number their slots
  std::string id;
  absl::Time inception, expiration;
  std::vector<SkrKeySummary> keys;  // in file order
  std::vector<uint16_t> signers;    // the key tag of each RRSIG, in file order
  size_t dnskey_response_size = 0;  // DnskeyResponseSize()
};

// The size of the response to ". DNSKEY" with DO set while this bundle is served, computed
// from the records: header 12 + question 5 (root name 1, type 2, class 2) + per DNSKEY and
// RRSIG 11 (owner "." 1, type 2, class 2, TTL 4, RDLENGTH 2) + RDATA + OPT 11 (no EDNS options).
// rootd answers exactly this (tests/tools compare it with the engine's answer); a server that
// adds NSID or a cookie answers more.
size_t DnskeyResponseSize(const zone::SkrBundle& bundle);

std::vector<SkrBundleSummary> SummarizeSkr(const zone::SignedKeyResponse& skr);
std::string ShowText(const zone::SignedKeyResponse& skr);
std::string ShowJson(const zone::SignedKeyResponse& skr);

// One thing wrong with a bundle.
struct SkrProblem {
  size_t bundle_index = 0;  // 1-based
  std::string bundle_id;
  uint16_t key_tag = 0;  // the key or signature concerned
  std::string reason;

  // "bundle 6 (id) key 19036: reason".
  std::string ToString() const;
};

struct SkrVerification {
  size_t bundles = 0;
  size_t keys = 0;
  size_t signatures_verified = 0;
  std::vector<SkrProblem> problems;

  bool ok() const { return problems.empty(); }
};

// Per bundle: every stated keyTag equals the computed one; every RRSIG verifies over the bundle's
// DNSKEY RRset with one of its own keys (zone/signature_verifier.h's VerifyRrsig) and is valid
// throughout the bundle, at its inception and at its expiration (CheckRrsigWindow), since the
// bundle may be served at any moment in between.
// Without `check_windows`, the cryptography alone: a KSR's signatures (the ZSK holder's proof of
// possession) were made before its bundles' times.
SkrVerification VerifySkr(const zone::SignedKeyResponse& skr, bool check_windows = true);
std::string VerifyText(const zone::SignedKeyResponse& skr, const SkrVerification& verification);
std::string VerifyJson(const zone::SignedKeyResponse& skr, const SkrVerification& verification);

}  // namespace rootd::tools
