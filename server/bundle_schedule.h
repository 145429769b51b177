// Which signature bundle is served when: the bundles of every loaded SKR on one timeline, and
// the choice Knot DNS (offline KSK) and BIND 9.20 (`dnssec-ksr`) make: the newest bundle whose
// inception is at or before now; after the last inception, the last bundle (until its
// signatures expire, and on, with a warning: nothing newer exists to serve). Before the first
// inception no bundle applies and the zone file's own DNSKEY RRset is served.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "zone/skr.h"

namespace rootd::server {

struct ScheduledBundle {
  zone::SkrBundle bundle;
  std::string file;  // the SKR it came from
  int index = 0;     // 1-based within its file, as the ceremonies number slots
};

class BundleSchedule {
 public:
  BundleSchedule() = default;
  // Orders the bundles of `responses` by inception. Fails when two bundles share an
  // inception (which one to serve would be a guess) or an id.
  static absl::StatusOr<BundleSchedule> Create(const std::vector<zone::SignedKeyResponse>& responses);

  bool empty() const { return bundles_.empty(); }
  const std::vector<ScheduledBundle>& bundles() const { return bundles_; }

  // The bundle to serve at `now`, or null before the first inception.
  const ScheduledBundle* Choose(absl::Time now) const;
  // The next inception after `now`: when the choice changes next. InfiniteFuture if none.
  absl::Time NextChange(absl::Time now) const;
  const ScheduledBundle* Find(std::string_view id) const;

 private:
  std::vector<ScheduledBundle> bundles_;  // ascending inception
};

}  // namespace rootd::server
