// The default run: without a zone file, rootd serves a generated lab root zone.
#pragma once
#include "absl/status/status.h"
#include "server/config.h"

namespace rootd::server {

// Creates (or reuses) the lab root zone and its trust anchor in config->state_dir, points
// config->zone and config->trust_anchor at them, and prints where they are.
absl::Status PrepareLabZone(ServerConfig* config);

}  // namespace rootd::server
