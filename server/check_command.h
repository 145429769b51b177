// `rootd check ZONE [--trust-anchor FILE] [--at TIME] [--no-verify] [--json]`: load, verify
// and compile a zone and report on it. Exit status 0 only if the zone is valid.
#pragma once

namespace rootd::server {

int RunCheck(int argc, char** argv);

}  // namespace rootd::server
