// `rootd check ZONE [--trust-anchor FILE] [--at TIME] [--json]`: load and verify a zone
// without serving it. argv[0] is "check"; returns the process exit status.
#pragma once

namespace rootd::server {

int RunCheck(int argc, char** argv);

}  // namespace rootd::server
