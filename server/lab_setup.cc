#include "server/lab_setup.h"

#include "zone/text.h"

namespace rootd::server {

absl::Status PrepareLabZone(ServerConfig* config) {
  (void)config;
  return absl::UnimplementedError("the lab zone generator (zone/lab_zone.h) has not landed yet; give --zone");
}

}  // namespace rootd::server
