// rootd: the command-line entry point.
#include <cstdio>
#include <cstring>

#include "server/check_command.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "check") == 0) return rootd::server::RunCheck(argc - 2, argv + 2);
  std::fprintf(stderr, "usage: rootd check ZONE [--trust-anchor FILE] [--at TIME] [--json]\n");
  return 2;
}
