// rootd: the command-line entry point.
#include <cstdio>

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::fprintf(stderr, "usage: rootd check ZONE\n");
  return 2;
}
