// `skrtool lint`: the ceremony's policy checks over a whole SKR (and its chain to the previous
// one), named as in IANA's kskm tooling (KSR-BUNDLE-COUNT, KSR-POLICY-SIG-VALIDITY, ...), plus
// RFC 5011 checks a resolver's view needs and the DNSKEY response size. `verify` checks each
// bundle's signatures; `lint` checks the schedule and key plan around them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "zone/skr.h"

namespace rootd::tools {

struct SkrLintOptions {
  // kskm's defaults for the root: 9 bundles a quarter, inceptions 9 to 11 days apart
  // (min/max_bundle_interval), signatures at most 180 days ahead (max_signature_horizon).
  size_t bundle_count = 9;
  absl::Duration min_bundle_interval = absl::Hours(24 * 9);
  absl::Duration max_bundle_interval = absl::Hours(24 * 11);
  absl::Duration max_signature_horizon = absl::Hours(24 * 180);
  // RFC 5011 2.4.1: the add hold-down of a resolver, 30 days.
  absl::Duration hold_down = absl::Hours(24 * 30);
  // DNS Flag Day 2020's EDNS buffer size: larger . DNSKEY answers are truncated for such resolvers.
  size_t dnskey_response_limit = 1232;
  // The SKR of the quarter before (--previous): not owned, may be null.
  const zone::SignedKeyResponse* previous = nullptr;
};

struct SkrLintFinding {
  enum class Severity : uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  std::string check;        // "KSR-BUNDLE-COUNT", "RFC5011-HOLD-DOWN", ...
  size_t bundle_index = 0;  // 1-based; 0 when the finding is about the whole file
  std::string bundle_id;
  std::string reason;

  // "error KSR-POLICY-SIG-VALIDITY bundle 3 (id): reason".
  std::string ToString() const;
};

struct SkrLintReport {
  std::vector<SkrLintFinding> findings;
  std::vector<std::string> notes;  // checks skipped and why
  size_t errors() const;
  size_t warnings() const;
  bool ok() const { return errors() == 0; }
};

SkrLintReport LintSkr(const zone::SignedKeyResponse& skr, const SkrLintOptions& options);
std::string LintText(const zone::SignedKeyResponse& skr, const SkrLintReport& report);
std::string LintJson(const zone::SignedKeyResponse& skr, const SkrLintReport& report);

}  // namespace rootd::tools
