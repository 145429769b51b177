// Placeholder until the `rootd check` implementation lands: it belongs to another change.
#include "server/check_command.h"

#include <cstdio>

namespace rootd::server {

int RunCheck(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::fprintf(stderr, "rootd check: not implemented yet\n");
  return 2;
}

}  // namespace rootd::server
