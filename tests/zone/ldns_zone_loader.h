// Test-only: loads a master file with ldns into a rootd::zone::Zone, until the project's own
// parser (zone/master_reader.h) lands. Keep this tiny; it will be deleted then.
#pragma once
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "zone/zone.h"

namespace rootd::testing {

absl::StatusOr<zone::Zone> LoadZoneWithLdns(const std::string& path);
// `name` stands for the file in messages.
absl::StatusOr<zone::Zone> LoadZoneTextWithLdns(std::string_view text, const std::string& name);

}  // namespace rootd::testing
