#include "server/lab_setup.h"

#include <sys/stat.h>

#include <cstdio>

#include "server/log.h"
#include "server/server.h"
#include "zone/file_io.h"
#include "zone/lab_zone.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

// Lab signatures are valid for 14 days; a zone older than half that is generated afresh, so a
// server started from it has a week before its signatures run out.
constexpr absl::Duration kMaxAge = absl::Hours(24 * 7);

bool FreshFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || st.st_size == 0) return false;
  return absl::Now() - absl::FromTimeT(st.st_mtime) < kMaxAge;
}

}  // namespace

absl::Status PrepareLabZone(ServerConfig* config) {
  if (absl::Status s = MakeDirectories(config->state_dir); !s.ok()) return s;
  std::string zone_path = Cat(config->state_dir, "/lab-root.zone");
  std::string anchor_path = Cat(config->state_dir, "/lab-root.ds");
  if (!FreshFile(zone_path) || !FreshFile(anchor_path)) {
    LogInfo(Cat("generating a lab root zone in ", config->state_dir, " ..."));
    zone::LabZoneOptions options;
    options.now = absl::Now();  // signatures valid from an hour ago for 14 days
    absl::StatusOr<zone::LabZone> lab = zone::GenerateLabZone(options);
    if (!lab.ok()) return lab.status();
    if (absl::Status s = zone::WriteFileAtomically(anchor_path, lab->trust_anchor_ds); !s.ok()) return s;
    if (absl::Status s = zone::WriteFileAtomically(zone_path, lab->text); !s.ok()) return s;
  }
  config->zone = zone_path;
  if (config->trust_anchor.empty()) config->trust_anchor = anchor_path;
  std::fprintf(stderr, "rootd: serving the lab root zone %s\nrootd: its trust anchor (DS) is %s\n", zone_path.c_str(),
               anchor_path.c_str());
  return absl::OkStatus();
}

}  // namespace rootd::server
