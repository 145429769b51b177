#include "server/bundle_schedule.h"

#include <algorithm>

#include "zone/text.h"

namespace rootd::server {

absl::StatusOr<BundleSchedule> BundleSchedule::Create(const std::vector<zone::SignedKeyResponse>& responses) {
  BundleSchedule schedule;
  for (const zone::SignedKeyResponse& response : responses) {
    int index = 0;
    for (const zone::SkrBundle& bundle : response.bundles) {
      schedule.bundles_.push_back(ScheduledBundle{bundle, response.file, ++index});
    }
  }
  std::stable_sort(schedule.bundles_.begin(), schedule.bundles_.end(),
                   [](const ScheduledBundle& a, const ScheduledBundle& b) { return a.bundle.inception < b.bundle.inception; });
  for (size_t i = 1; i < schedule.bundles_.size(); ++i) {
    const ScheduledBundle& a = schedule.bundles_[i - 1];
    const ScheduledBundle& b = schedule.bundles_[i];
    if (a.bundle.inception == b.bundle.inception) {
      return absl::InvalidArgumentError(Cat("bundles ", a.bundle.id, " (", a.file, ") and ", b.bundle.id, " (", b.file,
                                            ") start at the same time: which to serve is ambiguous"));
    }
  }
  for (size_t i = 0; i < schedule.bundles_.size(); ++i) {
    for (size_t j = i + 1; j < schedule.bundles_.size(); ++j) {
      if (schedule.bundles_[i].bundle.id == schedule.bundles_[j].bundle.id) {
        return absl::InvalidArgumentError(Cat("bundle id ", schedule.bundles_[i].bundle.id, " appears twice (",
                                              schedule.bundles_[i].file, ", ", schedule.bundles_[j].file, ")"));
      }
    }
  }
  return schedule;
}

const ScheduledBundle* BundleSchedule::Choose(absl::Time now) const {
  const ScheduledBundle* chosen = nullptr;
  for (const ScheduledBundle& b : bundles_) {
    if (b.bundle.inception > now) break;
    chosen = &b;
  }
  return chosen;
}

absl::Time BundleSchedule::NextChange(absl::Time now) const {
  for (const ScheduledBundle& b : bundles_) {
    if (b.bundle.inception > now) return b.bundle.inception;
  }
  return absl::InfiniteFuture();
}

const ScheduledBundle* BundleSchedule::Find(std::string_view id) const {
  for (const ScheduledBundle& b : bundles_) {
    if (b.bundle.id == id) return &b;
  }
  return nullptr;
}

}  // namespace rootd::server
