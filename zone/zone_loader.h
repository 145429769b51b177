// One call from a zone file to a servable image: read, check the shape, verify DNSSEC (and
// ZONEMD), compile. Used by `rootd check`, by the server at start and on every reload.
#pragma once
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/image.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {

struct LoadOptions {
  std::string zone_path;
  std::string trust_anchor_path;  // empty: signatures are verified against the zone's own keys only
  absl::Time at = absl::InfinitePast();  // evaluation time; InfinitePast means "now"
  bool verify = true;                    // false: parse and compile only
};

struct StepTimes {
  absl::Duration read, verify, compile;
};

struct LoadedZone {
  std::shared_ptr<const ZoneImage> image;
  VerifyReport report;  // empty when not verified
  bool verified = false;
  size_t records = 0;
  StepTimes times;

  // Human-readable summary: serial, TLDs, records, keys, signature window, ZONEMD, image
  // size, time per step.
  std::string Summary() const;
};

// Fails with the first problems found (file, line, reason); nothing is served from a zone
// that fails.
absl::StatusOr<LoadedZone> LoadZone(const LoadOptions& options);

}  // namespace rootd::zone
